"""Is a page a JavaScript application shell, whose product only appears after its scripts run?

Pure: reads the static HTML only. Used to tell "needs a browser" from "no product here".
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

# Visible text below this many characters, with scripts present, is a shell, not a page.
SHELL_MAX_TEXT = 400
MOUNT_POINT_IDS = ("root", "app", "__next", "__nuxt", "___gatsby", "svelte", "main-app", "application")
MAX_SCAN_CHARS = 4 * 1024 * 1024


def looks_like_app_shell(html: str) -> bool:
    """Whether ``html`` is an application shell: scripts, little visible text, often a mount point."""
    tree = LexborHTMLParser(html[:MAX_SCAN_CHARS])
    scripts = tree.css("script")
    if not scripts:
        return False
    body = tree.body
    if body is None:
        return True
    for id_ in MOUNT_POINT_IDS:
        mount = tree.css_first(f"#{id_}")
        if mount is not None and len(mount.text(deep=True, strip=True)) < SHELL_MAX_TEXT // 4:
            empty_mount = True
            break
    else:
        empty_mount = False
    tree.strip_tags(["script", "style", "noscript", "template"])
    text = " ".join((tree.body.text(deep=True, separator=" ") if tree.body else "").split())
    if len(text) < SHELL_MAX_TEXT // 4:
        return True
    return empty_mount and len(text) < SHELL_MAX_TEXT
