#!/usr/bin/env python3
"""Imports the LDNOOBW lists of the languages without a curated lexicon into
rules/lexicon/<lang>.tsv at low confidence (`#! confidence: low`: packs get them only
when they list the language). Category and severity are guessed (`profanity`, 2, or
`sexual`, 2, for terms that look sexual); every term is in word mode; short terms
(fewer than 4 letters in alphabetic scripts, fewer than 2 in Han/Thai) are left out,
because a short term of one language is often an ordinary word of another.

Run from the repository root: python3 rules/lexicon/tools/import_ldnoobw.py
"""
import os
import unicodedata

LANGS = "ar cs da de eo es fa fi fil fr hi hu it nl no pl pt ru sv th tr zh".split()
SEXUAL_HINTS = ("sex", "porn", "pene", "penis", "vagin", "anal", "orgas", "masturb", "fick",
                "bite", "pussy", "cul", "coño", "pola", "cock", "dick", "tit", "boob",
                "xxx", "性", "淫", "屄", "屌", "鸡巴", "肏", "操", "阴", "乳")


def unspaced(term):
    return any(unicodedata.name(c, "").startswith(("CJK", "THAI")) for c in term)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src_dir = os.path.join(here, "../../../../shared/lexicons/ldnoobw")
    if not os.path.isdir(src_dir):
        src_dir = "/work/shared/lexicons/ldnoobw"
    for lang in LANGS:
        with open(os.path.join(src_dir, lang), encoding="utf-8") as f:
            raw = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        seen, rows, skipped = set(), [], 0
        for t in raw:
            t = t.replace("\t", " ").strip()
            letters = sum(c.isalpha() for c in t)
            short = letters < (2 if unspaced(t) else 4)
            if short or "*" in t or t.lower() in seen:
                skipped += 1
                continue
            seen.add(t.lower())
            cat = "sexual" if any(h in t.lower() for h in SEXUAL_HINTS) else "profanity"
            rows.append(f"{t}\t{cat}\t2\tword\t-\tLDNOOBW {lang}, category guessed")
        out = os.path.join(here, f"../{lang}.tsv")
        with open(out, "w", encoding="utf-8") as f:
            f.write("#! confidence: low\n")
            f.write(f"# {lang}: imported from LDNOOBW (CC BY 4.0, see NOTICE) by tools/import_ldnoobw.py;\n")
            f.write(f"# categories and severities are guessed, {skipped} short or duplicate terms left out.\n")
            f.write("# term\tcategory\tseverity\tmode\tallow\tnote\n")
            f.write("\n".join(rows) + "\n")
        print(lang, len(rows), "kept,", skipped, "skipped")


if __name__ == "__main__":
    main()
