// npm obscenity side of bench/rules-compare.sh: same corpus, same output shape.
const fs = require('fs');
const { RegExpMatcher, TextCensor, englishDataset, englishRecommendedTransformers } = require('obscenity');

const msgs = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const rounds = Number(process.argv[3] || 5);
const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const censor = new TextCensor();
const run = (m) => censor.applyTo(m, matcher.getAllMatches(m));
const flagged = msgs.filter((m) => run(m) !== m).length;
let best = Infinity;
for (let r = 0; r < rounds; r++) {
  const t = process.hrtime.bigint();
  for (const m of msgs) run(m);
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
}
console.log(JSON.stringify({ impl: 'npm obscenity 0.4.6 censor', msgs_per_sec: msgs.length / best, flagged, messages: msgs.length }));
