/** The report page's inline stylesheet: readable on screen, no backgrounds or split blocks in print. */
export const reportStyle = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
  max-width: 60rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.8rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
h4, h5, h6 { font-size: 1rem; }
.subtitle { color: #59636e; margin-top: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.6rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f6f8fa; }
blockquote { margin: 0.4rem 0; padding: 0.2rem 0.8rem; border-left: 4px solid #d0d7de; color: #3d444d; }
.source { color: #59636e; font-size: 0.9em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
.finding { margin: 1rem 0; }
.badge { display: inline-block; font-size: 0.75rem; font-weight: 700; padding: 0.05rem 0.45rem;
  border-radius: 0.6rem; border: 1px solid currentColor; margin-right: 0.4rem; vertical-align: middle; }
.high { color: #b42318; }
.medium { color: #9a6700; }
.low { color: #1a7f37; }
.inconsistent { color: #b42318; font-weight: 600; }
.consistent { color: #1a7f37; }
.missing { color: #59636e; font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  th { background: none; }
  h2, h3, h4 { break-after: avoid; }
  table, blockquote, .finding, tr { break-inside: avoid; }
}
`;
