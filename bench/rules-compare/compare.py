"""better_profanity side of bench/rules-compare.sh: same corpus, same output shape."""
import json
import sys
import time

from better_profanity import profanity

msgs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
# better_profanity takes milliseconds per message: time the first LIMIT messages only
# (rate in msgs/s stays comparable; `flagged` is scaled to the whole corpus).
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
total = len(msgs)
msgs = msgs[:limit]
profanity.load_censor_words()
flagged = sum(1 for m in msgs if profanity.censor(m) != m)
best = float("inf")
for _ in range(rounds):
    t = time.perf_counter()
    for m in msgs:
        profanity.censor(m)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"impl": f"python better_profanity 0.7.0 censor() (first {len(msgs)} messages)",
                  "msgs_per_sec": len(msgs) / best, "flagged": round(flagged * total / len(msgs)),
                  "messages": total}))
