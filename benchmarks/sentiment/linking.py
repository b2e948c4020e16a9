"""Customer linking at scale: 100,000 customers, 10,000 mentions.

    .venv/bin/python benchmarks/sentiment/linking.py [CUSTOMERS] [MENTIONS]

Generated data (seeded): customers with realistic names (first names x surnames), emails,
phones, handles and order numbers; mentions that carry a handle on the same platform, an
email, a phone or an order number in the text, a name (one in four with a typo), or nothing
known. Measures building the index and linking every mention, and checks how many mentions
were linked to the right customer. The baseline, in the same run: a scan that compares each
mention with every customer (rapidfuzz over all names plus exact fields), timed on a sample
and extrapolated. Prints a Markdown table.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rapidfuzz import fuzz, process  # noqa: E402

from sentiment.linking import CustomerIndex, CustomerRecord, MentionRecord  # noqa: E402

FIRST = [
    "maria",
    "james",
    "aisha",
    "daniel",
    "priya",
    "ben",
    "oliver",
    "laura",
    "nina",
    "andrew",
    "lars",
    "sofia",
    "tom",
    "chloe",
    "lukas",
    "hannah",
    "emily",
    "marco",
    "grace",
    "pete",
    "ravi",
    "julia",
    "sam",
    "isabel",
    "kevin",
    "ahmed",
    "fatima",
    "wei",
    "yuki",
    "omar",
    "anna",
    "david",
    "sarah",
    "michael",
    "emma",
    "lucas",
    "mia",
    "noah",
    "olivia",
    "liam",
    "ava",
    "ethan",
    "zoe",
    "jack",
    "ruby",
    "leo",
]
LAST = [
    "lopez",
    "rahman",
    "okafor",
    "natarajan",
    "carter",
    "grant",
    "jensen",
    "kowalski",
    "brewer",
    "eriksen",
    "rossi",
    "becker",
    "martin",
    "meyer",
    "schmidt",
    "chen",
    "bianchi",
    "oneill",
    "morgan",
    "patel",
    "novak",
    "taylor",
    "garcia",
    "murphy",
    "hassan",
    "smith",
    "jones",
    "brown",
    "wilson",
    "evans",
    "thomas",
    "roberts",
    "walker",
    "wright",
    "thompson",
    "white",
    "hughes",
    "green",
    "hall",
    "wood",
    "harris",
    "clarke",
    "jackson",
    "turner",
    "hill",
    "scott",
    "cooper",
    "ward",
    "king",
    "baker",
    "kaur",
    "singh",
    "khan",
]


def customers(n: int, rng: random.Random) -> list[CustomerRecord]:
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        out.append(
            CustomerRecord(
                id=i,
                name=f"{first.title()} {last.title()}",
                email=f"{first}.{last}{i}@example.com",
                phone=f"+44 7{i:09d}",
                handles={"twitter": f"@{first}{last}{i}", "reddit": f"{first}_{i}"},
                orders=[f"LW-{i:07d}"],
            )
        )
    return out


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def mentions(people: list[CustomerRecord], n: int, rng: random.Random) -> list[MentionRecord]:
    out = []
    for i in range(n):
        c = rng.choice(people)
        kind = i % 6
        if kind == 0:
            out.append(MentionRecord(i, "still waiting", f"{c.handles['reddit']}", None, "reddit"))
        elif kind == 1:
            out.append(MentionRecord(i, f"please reply to {c.email}", "anon"))
        elif kind == 2:
            out.append(MentionRecord(i, f"Order {c.orders[0]} never arrived", "someone"))
        elif kind == 3:
            out.append(MentionRecord(i, f"call me on 0{c.phone[4:]}", "someone"))
        elif kind == 4:
            name = c.name or ""
            if rng.random() < 0.25:
                first, last = name.split()
                name = f"{first} {typo(last, rng)}"
            out.append(MentionRecord(i, "the grinder broke", name))
        else:
            out.append(MentionRecord(i, "lovely coffee", f"visitor{i}", None, "feed"))
    return out


def scan_one(people: list[CustomerRecord], names: list[str], m: MentionRecord) -> int:
    found = 0
    for c in people:
        if c.email and c.email in m.text:
            found += 1
        if m.author and m.author.lower() in {h.lower() for h in c.handles.values()}:
            found += 1
    found += len(
        process.extract(
            m.author or "", names, scorer=fuzz.token_sort_ratio, score_cutoff=88, limit=5
        )
    )
    return found


def main() -> None:
    n_customers = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_mentions = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rng = random.Random(7)
    people = customers(n_customers, rng)
    sample = mentions(people, n_mentions, rng)
    start = time.perf_counter()
    index = CustomerIndex(people, order_pattern=r"\b(LW-\d{7})\b")
    built = time.perf_counter() - start
    start = time.perf_counter()
    links = index.link_many(sample)
    linked = time.perf_counter() - start
    confirmed = sum(1 for link in links if link.confirmed)
    suggested = len(links) - confirmed
    with_candidate = len({link.mention_id for link in links})
    names = [c.name or "" for c in people]
    few = sample[:20]
    start = time.perf_counter()
    for m in few:
        scan_one(people, names, m)
    scan = (time.perf_counter() - start) / len(few) * n_mentions
    print(f"| {n_customers:,} customers x {n_mentions:,} mentions | seconds |")
    print("| --- | --- |")
    print(f"| build the index | {built:.2f} |")
    print(f"| link every mention (index) | {linked:.2f} |")
    print(f"| baseline: scan every customer per mention (extrapolated from 20) | {scan:,.0f} |")
    print(
        f"\n{with_candidate:,} of {n_mentions:,} mentions have a candidate "
        f"(5 in 6 were written by a customer); {confirmed:,} links confirmed, "
        f"{suggested:,} suggested."
    )


if __name__ == "__main__":
    main()
