// "Did you mean ...?" for a mistyped flag or command: the known names closest to what was typed.

/** Optimal string alignment distance (Levenshtein plus the swap of two neighbours, the commonest typo). */
export function editDistance(a: string, b: string): number {
  const w = b.length + 1;
  // d[i * w + j]: the distance between the first i characters of a and the first j of b.
  const d = new Array<number>((a.length + 1) * w).fill(0);
  const at = (i: number, j: number) => d[i * w + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * w] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * w + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Case, "-" and "_" do not count: `stackname`, `stack_name` and `StackName` all mean `--stack-name`. */
const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, "");

/**
 * The candidates a user most likely meant by `typed`, best first (at most `max`): those within a small edit
 * distance (a third of the length, at least 1), then those containing it or contained in it (`bucket` ->
 * `s3-bucket`). Empty when nothing is close.
 *
 * @example suggest("--stak-name", ["--stack-name", "--service"]) // ["--stack-name"]
 */
export function suggest(typed: string, candidates: readonly string[], max = 2): string[] {
  const t = plain(typed.replace(/^-+/, ""));
  if (t === "") return [];
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(candidates)) {
    const c = plain(name.replace(/^-+/, ""));
    const distance = editDistance(t, c);
    if (distance <= Math.max(1, Math.floor(Math.max(t.length, c.length) / 3)))
      scored.push({ name, score: distance });
    else if (t.length >= 3 && (c.includes(t) || t.includes(c)) && c.length >= 3)
      scored.push({ name, score: 10 + Math.abs(c.length - t.length) });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** ` Did you mean --x?` / ` Did you mean --x or --y?`, or "" when there is nothing close. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const close = suggest(typed, candidates);
  return close.length === 0 ? "" : ` Did you mean ${close.join(" or ")}?`;
}
