"""What the chat and the archive pages share: counted words, and scrolling to a sentence."""

from __future__ import annotations

import json

import streamlit as st


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def scroll_to(key: str, sentence: str) -> None:
    """Scroll the page to the highlighted sentence that begins like `sentence` inside the
    container `key`. Our own script: the words travel as a JSON string, never as markup."""
    needle = json.dumps(" ".join(sentence.split()[:8])).replace("<", "\\u003c")
    where = json.dumps(f".st-key-{key} strong")
    # Streamlit may still be laying the page out: look again until it has stood in view a
    # while (2 s; 20 s at most), scrolling whenever it is not.
    script = f"""<script>
const needle = {needle};
let steady = 0;
function find(tries) {{
  const marks = [...window.parent.document.querySelectorAll({where})];
  const clean = t => t.replace(/\\u2060/g, "").replace(/\\s+/g, " ").trim();
  const hit = marks.find(m => clean(m.textContent).startsWith(needle));
  if (hit) {{
    const box = hit.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.parent.innerHeight) steady += 1;
    else {{ hit.scrollIntoView({{block: "center"}}); steady = 0; }}
  }}
  if (steady < 8 && tries > 0) setTimeout(() => find(tries - 1), 250);
}}
find(80);
</script>"""
    st.iframe(script, height=1)  # same-origin, so it can scroll the page; nothing to show
