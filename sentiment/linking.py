"""Customer linking: who, among the known customers, wrote a mention — and how sure we are.

Pure: customers and mentions come in as plain data, candidates go out; nothing here touches a
database. A :class:`CustomerIndex` is built once over the customer base (dictionaries keyed by
normalised handle, email, phone and order number, and name blocks for fuzzy matching), so
linking a mention costs a few look-ups, not a scan of every customer.

Evidence and confidence (one candidate per mention and customer, the strongest evidence wins
and the rest is listed with it):

===============================  ==========  ==================================================
evidence                         confidence  result
===============================  ==========  ==================================================
handle on the same platform      0.98        strong: confirms
email address in the text        0.97        strong: confirms
order number in the text         0.95        strong: confirms
phone number in the text         0.93        strong: confirms
same handle on another platform  0.70        weak: suggests
similar name (rapidfuzz)         0.45–0.75   weak: suggests (a person confirms or rejects)
===============================  ==========  ==================================================

Strong evidence confirms only when its confidence reaches ``min_confidence`` and it points to
one customer; evidence shared by several customers (a family email, a shop's phone) only
suggests. Weak evidence alone never confirms, whatever ``min_confidence`` is.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

HANDLE_CONFIDENCE = 0.98
EMAIL_CONFIDENCE = 0.97
ORDER_CONFIDENCE = 0.95
PHONE_CONFIDENCE = 0.93
OTHER_PLATFORM_CONFIDENCE = 0.70
#: A name is a candidate from this rapidfuzz score (0..100) on; 100 gives NAME_TOP.
NAME_CUTOFF = 88.0
NAME_TOP = 0.75
NAME_BOTTOM = 0.45
#: A name block shared by more customers than this is too common to tell them apart.
MAX_BLOCK = 2000
#: Strong methods (they may confirm); the others only suggest.
STRONG = frozenset({"handle", "email", "order", "phone"})
#: Platform names that mean the same network.
PLATFORM_ALIASES = {
    "x": "twitter",
    "x.com": "twitter",
    "twitter.com": "twitter",
    # the brand account's mentions are on Mastodon like the hashtag timelines
    "mastodon_notifications": "mastodon",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,18}\d(?!\w)")
_NON_ALNUM = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class CustomerRecord:
    """A known customer, as plain data (``id`` is the database id)."""

    id: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    handles: Mapping[str, str] = field(default_factory=dict)
    orders: Sequence[str] = ()


@dataclass(frozen=True)
class MentionRecord:
    """What linking needs of a mention."""

    id: int
    text: str = ""
    author: str | None = None
    author_handle: str | None = None
    #: the platform the mention is on (the source type: "reddit", "trustpilot", ...)
    platform: str | None = None


@dataclass(frozen=True)
class LinkCandidate:
    """One customer who may have written one mention."""

    mention_id: int
    customer_id: int
    method: str
    confidence: float
    evidence: str
    confirmed: bool


def normalize_handle(handle: str) -> str:
    """``@Maria_L``, ``u/maria_l``, ``https://reddit.com/user/maria_l/`` -> ``maria_l``."""
    value = handle.strip().lower().rstrip("/")
    if "/" in value:
        value = value.rsplit("/", 1)[-1]
    value = value.removeprefix("@")
    if value.startswith("u/"):
        value = value[2:]
    return value.split("@", 1)[0] if value.count("@") == 1 and "." in value else value


def normalize_email(email: str) -> str:
    """Lower case, trimmed."""
    return email.strip().lower()


def normalize_phone(phone: str) -> str | None:
    """The last ten digits (country and trunk prefixes differ); ``None`` below nine digits."""
    digits = _DIGITS.sub("", phone)
    if len(digits) < 9:
        return None
    return digits[-10:]


def normalize_order(order: str) -> str:
    """Upper case, without spaces."""
    return order.strip().upper().replace(" ", "")


def normalize_name(name: str) -> str:
    """Lower case words without punctuation."""
    return " ".join(_NON_ALNUM.sub(" ", name.lower()).split())


def _platform(name: str | None) -> str:
    value = (name or "").strip().lower()
    return PLATFORM_ALIASES.get(value, value)


def _blocks(name: str) -> list[str]:
    """Blocking keys for fuzzy names: one whole word and the first letters of the other
    (first and last word, either order), so a typo in one of them still meets the customer."""
    words = name.split()
    if len(words) < 2:
        return []
    first, last = words[0], words[-1]
    return [f"{first} {last[:3]}", f"{first[:3]} {last}"]


#: The callback the matchers report evidence to: (customer ids, method, confidence, evidence).
_Add = Callable[[list[int], str, float, str], None]


@dataclass
class _Found:
    method: str
    confidence: float
    evidence: list[str]


class CustomerIndex:
    """An index over the customer base for linking mentions to customers."""

    def __init__(
        self,
        customers: Iterable[CustomerRecord],
        *,
        order_pattern: str | None = None,
        min_confidence: float = 0.9,
    ) -> None:
        self.min_confidence = min_confidence
        self._order = re.compile(order_pattern, re.IGNORECASE) if order_pattern else None
        self._handles: dict[tuple[str, str], list[int]] = {}
        self._any_handle: dict[str, list[tuple[str, int]]] = {}
        self._emails: dict[str, list[int]] = {}
        self._phones: dict[str, list[int]] = {}
        self._orders: dict[str, list[int]] = {}
        self._names: dict[int, str] = {}
        self._blocks: dict[str, list[int]] = {}
        self.size = 0
        for customer in customers:
            self._add(customer)

    def _add(self, c: CustomerRecord) -> None:
        self.size += 1
        for platform, handle in (c.handles or {}).items():
            if handle and handle.strip():
                key = normalize_handle(handle)
                self._handles.setdefault((_platform(platform), key), []).append(c.id)
                self._any_handle.setdefault(key, []).append((_platform(platform), c.id))
        if c.email and c.email.strip():
            self._emails.setdefault(normalize_email(c.email), []).append(c.id)
        if c.phone and (phone := normalize_phone(c.phone)):
            self._phones.setdefault(phone, []).append(c.id)
        for order in c.orders or ():
            if order and order.strip():
                self._orders.setdefault(normalize_order(order), []).append(c.id)
        if c.name and (name := normalize_name(c.name)):
            self._names[c.id] = name
            words = name.split()
            swapped = " ".join([words[-1], *words[1:-1], words[0]]) if len(words) > 1 else name
            for block in {*_blocks(name), *_blocks(swapped)}:
                self._blocks.setdefault(block, []).append(c.id)

    def link(self, mention: MentionRecord) -> list[LinkCandidate]:
        """The candidate customers for one mention, strongest first."""
        found: dict[int, _Found] = {}

        def add(ids: list[int], method: str, confidence: float, evidence: str) -> None:
            shared = len(set(ids)) > 1
            if shared and method in STRONG:
                confidence = min(confidence, OTHER_PLATFORM_CONFIDENCE)
                evidence += f" (shared by {len(set(ids))} customers)"
                method = f"{method} (shared)"
            for customer_id in dict.fromkeys(ids):
                current = found.get(customer_id)
                if current is None:
                    found[customer_id] = _Found(method, confidence, [evidence])
                else:
                    current.evidence.append(evidence)
                    if confidence > current.confidence:
                        current.method, current.confidence = method, confidence

        self._by_handle(mention, add)
        text = mention.text or ""
        author = mention.author or ""
        for email in {normalize_email(e) for e in _EMAIL.findall(f"{author} {text}")}:
            if email in self._emails:
                add(self._emails[email], "email", EMAIL_CONFIDENCE, f"email {email} in the text")
        for raw in _PHONE.findall(text):
            phone = normalize_phone(raw)
            if phone and phone in self._phones:
                add(self._phones[phone], "phone", PHONE_CONFIDENCE, f"phone {raw.strip()}")
        if self._order is not None:
            for match in self._order.finditer(text):
                number = normalize_order(match.group(1) if match.groups() else match.group(0))
                if number in self._orders:
                    add(self._orders[number], "order", ORDER_CONFIDENCE, f"order {number}")
        self._by_name(author, add)
        out = []
        for customer_id, f in found.items():
            confirmed = f.method in STRONG and f.confidence >= self.min_confidence
            out.append(
                LinkCandidate(
                    mention.id,
                    customer_id,
                    f.method,
                    round(f.confidence, 3),
                    "; ".join(dict.fromkeys(f.evidence)),
                    confirmed,
                )
            )
        out.sort(key=lambda c: (-c.confidence, c.customer_id))
        return out

    def link_many(self, mentions: Iterable[MentionRecord]) -> list[LinkCandidate]:
        """The candidates for many mentions."""
        out: list[LinkCandidate] = []
        for mention in mentions:
            out.extend(self.link(mention))
        return out

    def _by_handle(self, mention: MentionRecord, add: _Add) -> None:
        platform = _platform(mention.platform)
        seen: set[str] = set()
        for raw in (mention.author_handle, mention.author):
            if not raw or not raw.strip():
                continue
            handle = normalize_handle(raw)
            if handle in seen:
                continue
            seen.add(handle)
            same = self._handles.get((platform, handle))
            if same:
                add(same, "handle", HANDLE_CONFIDENCE, f"{platform} handle {raw.strip()}")
                continue
            others = self._any_handle.get(handle)
            if others and len(handle) >= 4:
                for other_platform, customer_id in others:
                    add(
                        [customer_id],
                        "handle elsewhere",
                        OTHER_PLATFORM_CONFIDENCE,
                        f"{raw.strip()} is their {other_platform} handle",
                    )

    def _by_name(self, author: str, add: _Add) -> None:
        name = normalize_name(author)
        blocks = _blocks(name)
        if not blocks:
            return
        ids = list(
            dict.fromkeys(
                i
                for block in blocks
                if len(bucket := self._blocks.get(block, ())) <= MAX_BLOCK
                for i in bucket
            )
        )
        if not ids:
            return
        choices = {i: self._names[i] for i in ids}
        for _, score, customer_id in process.extract(
            name, choices, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_CUTOFF, limit=5
        ):
            share = (score - NAME_CUTOFF) / (100.0 - NAME_CUTOFF)
            confidence = NAME_BOTTOM + (NAME_TOP - NAME_BOTTOM) * share
            what = "same name" if score >= 100 else f"similar name ({score:.0f}/100)"
            add([customer_id], "name", confidence, f"{what}: {author.strip()}")
