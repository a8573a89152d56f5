"""better_profanity side of bench/rules-compare.sh: same corpus, same output shape."""
import json
import sys
import time

from better_profanity import profanity

msgs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
profanity.load_censor_words()
flagged = sum(1 for m in msgs if profanity.censor(m) != m)
best = float("inf")
for _ in range(rounds):
    t = time.perf_counter()
    for m in msgs:
        profanity.censor(m)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"impl": "python better_profanity 0.7.0 censor()", "msgs_per_sec": len(msgs) / best,
                  "flagged": flagged, "messages": len(msgs)}))
