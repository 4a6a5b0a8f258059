const base = process.memoryUsage();
const mods = process.argv.slice(2);
for (const m of mods) require(m);
global.gc && gc();
const now = process.memoryUsage();
console.log(
  mods.join('+').padEnd(40),
  'rss+',
  ((now.rss - base.rss) / 1e6).toFixed(1),
  'heapUsed+',
  ((now.heapUsed - base.heapUsed) / 1e6).toFixed(1),
);
