#!/usr/bin/env bash
# Behaviour snapshot of a `rules` binary, to show an optimisation changed nothing:
# `rules eval PACK --explain` for the bundled, cjk, example and every-language packs over
# every labelled text of rules/eval plus 30,000 generated mixed-script texts (leet, jamo,
# kana, halfwidth forms, marks, zero-width characters, confusables; `Time` set so the
# stateful rules replay the same), and `rules eval-quality bundled` on each labelled set.
# Usage: bash bench/rules-identity.sh OLD_RULES_BINARY NEW_RULES_BINARY [OLD_VIEW_DUMP NEW_VIEW_DUMP]
# (the optional pair: `view_dump` example binaries of the two builds, `cargo build --release
# -p rules --example view_dump`; their normalised views of the same texts are compared too)
# (build the old one from a worktree: git worktree add /tmp/old REV && cargo build
# --release -p rules --bin rules --manifest-path /tmp/old/Cargo.toml). Prints one line per
# output, `same` or `DIFF`, and exits 1 on any difference.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
old="$1"; new="$2"; old_view="${3:-}"; new_view="${4:-}"
work="$(mktemp -d -t rules-identity.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 - "$root" > "$work/requests.jsonl" <<'PY'
import glob, json, random, sys
root = sys.argv[1]
t = 1764547200000
out = []
for f in sorted(glob.glob(f"{root}/rules/eval/*.jsonl")):
    for i, line in enumerate(open(f, encoding="utf-8")):
        t += 1000
        out.append({"Content": json.loads(line)["text"], "Time": t,
                    "Sender": {"UserId": f"u{i % 37}", "Attributes": {}}})
random.seed(7)
alpha = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789    .,!?@$|+*-_'") \
    + list("시발병신놈아ㅅㅂㅈㄹㅄㅣㅏㅋㅎ씨ㅆ안녕하세요") + list("お前死ねよバカﾊﾞｶｰぁァー今日天気ア") \
    + ["\u200b", "\u0301", "\u0336", "ｆ", "𝔣", "а", "о", "і", "\u3164", "\u2019", "é", "ß", "İ",
       "ﬁ", "①", "\u00ad", "\t", "\u3000", "😀", "👍🏽", "ก", "ไ", "Ω", "\u1100", "\u1161",
       "\u11a8", "ㄳ"]
words = ["tlqkf", "qudtls", "fuck", "f.u.c.k", "sh1t", "a$$hole", "시1발", "병 신", "ㅅ ㅂ",
         "k y s", "hello", "assassin", "Scunthorpe", "お前死ねよ", "ﾊﾞｶｰ", "ｆｕｃｋ", "fuuuuck",
         "b i t c h", "rotoRl", "dkssudgktpdy"]
texts = ["".join(random.choice(alpha) for _ in range(random.randint(1, 60))) for _ in range(20000)]
texts += [" ".join(random.choice(words + alpha) for _ in range(random.randint(1, 12)))
          for _ in range(10000)]
for i, s in enumerate(texts):
    t += 1000
    out.append({"Content": s.replace("\n", " "), "Time": t,
                "Sender": {"UserId": f"f{i % 53}", "Attributes": {}}})
for r in out:
    print(json.dumps(r, ensure_ascii=False))
PY
sed -n '/^pub const ALL_LANGUAGES_PACK: &str = r#"/,/^"#;/p' "$root/rules/benches/corpus.rs" \
  | sed '1s/.*r#"//; $d' > "$work/all.toml"
status=0
for bin in old new; do
  exe="${!bin}"; mkdir -p "$work/$bin"
  for p in bundled "$root/rules/packs/cjk.toml" "$root/rules/packs/example/pack.toml" "$work/all.toml"; do
    n="$(basename "$p")"
    "$exe" eval "$p" --explain < "$work/requests.jsonl" > "$work/$bin/$n.out" 2> "$work/$bin/$n.err"
  done
  for s in "$root"/rules/eval/*.jsonl; do
    "$exe" eval-quality bundled "$s" --max-list 100000 > "$work/$bin/quality-$(basename "$s").txt"
  done
done
if [ -n "$old_view" ] && [ -n "$new_view" ]; then
  python3 -c 'import json, sys
for l in sys.stdin: print(json.loads(l)["Content"])' < "$work/requests.jsonl" > "$work/texts.txt"
  "$old_view" < "$work/texts.txt" > "$work/old/views.txt"
  "$new_view" < "$work/texts.txt" > "$work/new/views.txt"
fi
echo "$(wc -l < "$work/requests.jsonl") requests"
for f in "$work"/old/*; do
  b="$(basename "$f")"
  if cmp -s "$f" "$work/new/$b"; then echo "same $b"; else echo "DIFF $b"; status=1; fi
done
exit $status
