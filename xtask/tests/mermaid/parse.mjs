// Parses each Mermaid diagram given on stdin (diagrams separated by a line holding only
// "%%--%%") with Mermaid's own parser; prints "ok" per diagram, or the parser's message and
// exits 1. Used by xtask/tests/it/mermaid.rs.
// Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom's, set up before Mermaid
// is loaded.
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
});
let failed = false;
for (const [n, diagram] of input.split('\n%%--%%\n').entries()) {
  try {
    await mermaid.parse(diagram);
    console.log(`diagram ${n + 1}: ok`);
  } catch (e) {
    failed = true;
    console.log(`diagram ${n + 1}: ${e.message}\n${diagram}`);
  }
}
process.exit(failed ? 1 : 0);
