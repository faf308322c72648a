/**
 * The WebAssembly kernels (kernels.c, built by build.sh into kernels.wasm.ts) and the memory
 * they work in.
 *
 * One module instance and one memory per thread (worker threads each get their own). A gradient
 * system takes one block of that memory for all its arrays (an {@link Arena}) and gives it back
 * with `release()` (simulate does so; a FinalizationRegistry returns blocks of systems that are
 * garbage-collected unreleased). Blocks are reused by size class (powers of two), so trajectories
 * of one shape allocate nothing after the first. When the memory has to grow, the JavaScript views
 * of every arena are re-made (growing keeps the contents but replaces the ArrayBuffer); arenas
 * check this before each use (`views()`).
 *
 * `FLOWCHECK_KERNELS=js` in the environment, or a runtime without WebAssembly SIMD, turns the
 * kernels off: the systems then run their JavaScript loops, which compute the same numbers bit
 * for bit (kernels.test.ts).
 */
import { KERNELS_WASM_BASE64 } from './kernels.wasm.ts';

/** Exports of kernels.c; pointers are byte offsets into the kernel memory (0 = null). */
export interface KernelExports {
  mm_nt(Z: number, A: number, BT: number, m: number, n: number, d: number): void;
  mm_acc(W: number, G: number, X: number, idx: number, m: number, n: number, d: number): void;
  fwd(f: number, Z: number, a: number, s: number, slope: number, m: number, n: number): void;
  bwd(G: number, gA: number, Z: number, a: number, r: number, s: number, slope: number, m: number, n: number): void;
  ortho_fwd(Z: number, f: number, P0: number, Kd: number, y: number, aOff: number, bOff: number, swOff: number, s: number, slope: number, m: number, n: number): void;
  ortho_bwd(out: number, Z: number, r: number, y: number, aOff: number, bOff: number, swOff: number, s: number, slope: number, c: number, trainA: number, m: number, n: number): void;
  axpy_finite(y: number, g: number, eta: number, dim: number): number;
  red_fwd(Z: number, f: number, y: number, K: number, P0: number, aOff: number, bOff: number, swOff: number, s: number, slope: number, m: number, n: number): void;
  red_bwd(out: number, G: number, gA: number, Z: number, y: number, r: number, aOff: number, bOff: number, swOff: number, s: number, slope: number, c: number, trainA: number, m: number, n: number): void;
  full_fwd(Z: number, f: number, y: number, XT: number, aOff: number, bOff: number, s: number, slope: number, m: number, n: number, d: number): void;
  full_bwd(out: number, G: number, gA: number, gW: number, idx: number, Z: number, y: number, r: number, X: number, aOff: number, bOff: number, s: number, slope: number, c: number, trainA: number, m: number, n: number, d: number): void;
  ortho_square(out: number, Z: number, f: number, r: number, P0: number, Kd: number, y: number, lab: number, aOff: number, bOff: number, swOff: number, s: number, slope: number, c: number, trainA: number, m: number, n: number): number;
  add_bias(Z: number, P0: number, sw: number, b: number, m: number, n: number): void;
}

/** The part of the WebAssembly API used here (the project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const PAGE = 65536;
/** Arrays inside a block start at multiples of 16 bytes (one v128). */
const ALIGN = 16;
/**
 * Gap after each array of an arena. Arrays whose sizes are multiples of 4 KiB (m n = 512 doubles)
 * would otherwise start at the same offset within a page, and loads from one then falsely wait
 * for stores to another (4K aliasing): 208 bytes (13 x 16) puts consecutive arrays at different
 * page offsets.
 */
const STAGGER = 208;
/** Smallest size class of a block (bytes). */
const MIN_BLOCK = 1024;

interface Heap {
  k: KernelExports;
  memory: WasmMemory;
  /** memory.buffer, kept here because the getter is slow; replaced when the memory grows. */
  buffer: ArrayBuffer;
  /** Bumped whenever the memory grows (views must be re-made). */
  generation: number;
  top: number;
  free: Map<number, number[]>;
}

let heap: Heap | null | undefined;

function decode(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function createHeap(): Heap | null {
  if (typeof process !== 'undefined' && process.env.FLOWCHECK_KERNELS === 'js') return null;
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return null;
  const bytes = decode(KERNELS_WASM_BASE64);
  if (!wa.validate(bytes)) return null; // no SIMD in this runtime
  const module = new wa.Module(bytes);
  const memory = new wa.Memory({ initial: 16 });
  const instance = new wa.Instance(module, { env: { memory } });
  const heapBase = (instance.exports.__heap_base as { value: number }).value;
  return {
    k: instance.exports as unknown as KernelExports,
    memory,
    buffer: memory.buffer,
    generation: 0,
    top: Math.ceil(heapBase / ALIGN) * ALIGN,
    free: new Map(),
  };
}

let forcedOff = false;

/** The kernels of this thread, or null when they are off (see the module comment). */
export function kernelHeap(): Heap | null {
  if (forcedOff) return null;
  if (heap === undefined) heap = createHeap();
  return heap;
}

/**
 * Turns the kernels off ('js') or back on ('auto') for systems made from now on in this thread
 * (benchmarks compare the two implementations in one process; results are the same).
 */
export function setKernels(mode: 'auto' | 'js'): void {
  forcedOff = mode === 'js';
}

/** True when the WebAssembly kernels are in use in this thread. */
export function kernelsEnabled(): boolean {
  return kernelHeap() !== null;
}

function sizeClass(bytes: number): number {
  let s = MIN_BLOCK;
  while (s < bytes) s *= 2;
  return s;
}

function allocBlock(h: Heap, bytes: number): { ptr: number; size: number } {
  const size = sizeClass(bytes);
  const list = h.free.get(size);
  if (list !== undefined && list.length > 0) return { ptr: list.pop() as number, size };
  const ptr = h.top;
  const end = ptr + size;
  const have = h.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    // grow at least geometrically so that a run of new shapes does not grow page by page
    h.memory.grow(Math.max(pages, Math.ceil(have / PAGE / 2)));
    h.buffer = h.memory.buffer;
    h.generation++;
  }
  h.top = end;
  return { ptr, size };
}

function freeBlock(h: Heap, ptr: number, size: number): void {
  let list = h.free.get(size);
  if (list === undefined) {
    list = [];
    h.free.set(size, list);
  }
  list.push(ptr);
}

const registry = typeof FinalizationRegistry === 'undefined'
  ? null
  : new FinalizationRegistry<{ ptr: number; size: number; released: boolean }>((b) => {
      if (heap && !b.released) freeBlock(heap, b.ptr, b.size);
    });

/** Named f64 arrays (lengths in elements) and int32 arrays of one arena. */
export interface ArenaLayout {
  f64: Record<string, number>;
  i32?: Record<string, number>;
}

/**
 * One block of kernel memory holding a system's arrays. `views()` returns Float64Array /
 * Int32Array views (re-made after the memory grew); `ptr(name)` the byte offset of an array.
 */
export class Arena<F extends string, I extends string = never> {
  readonly k: KernelExports;
  private readonly h: Heap;
  private readonly offsets = new Map<string, number>();
  private readonly lengths = new Map<string, number>();
  private readonly block: { ptr: number; size: number; released: boolean };
  private readonly i32Names: Set<string>;
  private generation = -1;
  private cache: { f64: Record<F, Float64Array>; i32: Record<I, Int32Array> } | null = null;

  constructor(h: Heap, layout: { f64: Record<F, number>; i32?: Record<I, number> }) {
    this.h = h;
    this.k = h.k;
    this.i32Names = new Set(Object.keys(layout.i32 ?? {}));
    let bytes = 0;
    const place = (name: string, len: number, width: number): void => {
      this.offsets.set(name, bytes);
      this.lengths.set(name, len);
      bytes += Math.ceil((Math.max(len, 1) * width) / ALIGN) * ALIGN + STAGGER;
    };
    for (const [name, len] of Object.entries<number>(layout.f64)) place(name, len, 8);
    for (const [name, len] of Object.entries<number>(layout.i32 ?? ({} as Record<I, number>))) place(name, len, 4);
    const b = allocBlock(h, bytes);
    this.block = { ptr: b.ptr, size: b.size, released: false };
    for (const [name, off] of this.offsets) this.offsets.set(name, off + b.ptr);
    registry?.register(this, this.block, this);
  }

  /** Byte offset of array `name` in kernel memory. */
  ptr(name: F | I): number {
    return this.offsets.get(name) as number;
  }

  /** Views of all arrays; cheap when the memory has not grown since the last call. */
  views(): { f64: Record<F, Float64Array>; i32: Record<I, Int32Array> } {
    if (this.cache !== null && this.generation === this.h.generation) return this.cache;
    const buf = this.h.buffer;
    const f64 = {} as Record<string, Float64Array>;
    const i32 = {} as Record<string, Int32Array>;
    for (const [name, off] of this.offsets) {
      const len = this.lengths.get(name) as number;
      if (this.i32Names.has(name)) i32[name] = new Int32Array(buf, off, len);
      else f64[name] = new Float64Array(buf, off, len);
    }
    this.cache = { f64: f64 as Record<F, Float64Array>, i32: i32 as Record<I, Int32Array> };
    this.generation = this.h.generation;
    return this.cache;
  }

  /** True when `view` is this arena's current view of array `name` (no copy needed). */
  owns(view: Float64Array, name: F): boolean {
    return view === this.views().f64[name];
  }

  /** Gives the block back; the arena must not be used afterwards. */
  release(): void {
    if (this.block.released) return;
    this.block.released = true;
    registry?.unregister(this);
    freeBlock(this.h, this.block.ptr, this.block.size);
    this.cache = null;
  }
}

/** An arena for the given layout, or null when the kernels are off. */
export function makeArena<F extends string, I extends string = never>(layout: { f64: Record<F, number>; i32?: Record<I, number> }): Arena<F, I> | null {
  const h = kernelHeap();
  if (h === null) return null;
  return new Arena<F, I>(h, layout);
}
