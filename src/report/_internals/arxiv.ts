/**
 * The arXiv identifiers in a claim's `arxiv` field, which may list several papers
 * ("2206.00939, 2502.16977"): each becomes its own https://arxiv.org/abs/ID link.
 */
export function arxivIds(field: string): string[] {
  return field
    .split(/[,;\s]+/)
    .map((s) => s.trim().replace(/^arXiv:/i, ''))
    .filter((s) => s.length > 0);
}

/** The abstract page of one identifier. */
export function arxivUrl(id: string): string {
  return `https://arxiv.org/abs/${encodeURIComponent(id).replace(/%2F/g, '/')}`;
}
