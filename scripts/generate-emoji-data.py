#!/usr/bin/env python3
"""
Writes public/emoji-data.json: the full reaction picker's data (emoji-picker-element's format), served from the
app's own origin so the picker works offline and under our CSP (the library's default is a CDN).

Python because its unicodedata module names every emoji code point; Node has no such table. Single code point
emoji only (no skin tones, flags or ZWJ sequences: those are typed), grouped by Unicode block. Replace with the
`emoji-picker-element-data` package once it is installed (see docs/client.md). Run: python3 scripts/generate-emoji-data.py
"""
import json
import subprocess
import unicodedata
from pathlib import Path

# emoji-picker-element groups: 0 smileys, 1 people, 3 animals & nature, 4 food, 5 travel, 6 activities, 7 objects, 8 symbols.
BLOCKS = [
    (0x1F300, 0x1F32F, 5), (0x1F330, 0x1F344, 3), (0x1F345, 0x1F37F, 4), (0x1F380, 0x1F3CF, 6),
    (0x1F3D0, 0x1F3FA, 5), (0x1F400, 0x1F43F, 3), (0x1F440, 0x1F4AA, 1), (0x1F4AB, 0x1F4FF, 7),
    (0x1F500, 0x1F5FF, 8), (0x1F600, 0x1F64F, 0), (0x1F680, 0x1F6FF, 5), (0x1F7E0, 0x1F7EB, 8),
    (0x1F90C, 0x1F93A, 1), (0x1F93C, 0x1F94F, 6), (0x1F950, 0x1F96F, 4), (0x1F970, 0x1F97F, 0),
    (0x1F980, 0x1F9AE, 3), (0x1F9B0, 0x1F9FF, 1), (0x1FA70, 0x1FAFF, 7),
    (0x2600, 0x26FF, 8), (0x2700, 0x27BF, 8),
]
# The text-default symbols among those blocks need U+FE0F to show as emoji.
TEXT_DEFAULT_BELOW = 0x1F000
SKIP = set(range(0x1F3FB, 0x1F400))  # skin tone modifiers, not emoji on their own


def group_of(name: str, block_group: int) -> int:
    if 'FACE' in name and block_group in (0, 1, 8):
        return 0
    if any(word in name for word in ('HAND', 'FINGER', 'THUMBS', 'FIST')):
        return 1
    return block_group


def emoji_code_points(candidates: list[int]) -> set[int]:
    """The candidates Unicode calls emoji, asked of Node's regex engine (Python's unicodedata lacks the property)."""
    script = (
        "const codes = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(codes.filter((code) => /^\\p{Emoji}$/u.test(String.fromCodePoint(code)))));"
    )
    answer = subprocess.run(['node', '-e', script], input=json.dumps(candidates), capture_output=True, text=True, check=True)
    return set(json.loads(answer.stdout))


def main() -> None:
    emoji_only = emoji_code_points([code for first, last, _ in BLOCKS for code in range(first, last + 1)])
    data = []
    for first, last, block_group in BLOCKS:
        for code in range(first, last + 1):
            if code in SKIP or code not in emoji_only:
                continue
            name = unicodedata.name(chr(code), '')
            if not name:
                continue
            emoji = chr(code) + ('\ufe0f' if code < TEXT_DEFAULT_BELOW else '')
            annotation = name.lower()
            data.append({
                'annotation': annotation,
                'emoji': emoji,
                'group': group_of(name, block_group),
                'order': len(data) + 1,
                'shortcodes': [annotation.replace(' ', '_')],
                'tags': annotation.split(' ')[:4],
                'version': 1,
            })
    # Within a group the classic emoticons (U+1F600…) come first, then the rest by code point.
    data.sort(key=lambda item: (item['group'], 0 if 0x1F600 <= ord(item['emoji'][0]) <= 0x1F64F else 1, ord(item['emoji'][0])))
    for order, item in enumerate(data, start=1):
        item['order'] = order
    out = Path(__file__).resolve().parent.parent / 'public' / 'emoji-data.json'
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(',', ':')))
    print(f'{len(data)} emoji -> {out}')


if __name__ == '__main__':
    main()
