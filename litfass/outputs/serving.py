"""How a web server should answer for a built site: its security headers, caches and types.

One table for every server: `.htaccess` (htaccess.py) is written from it, and
tests/deploy/test_nginx.py checks that deploy/nginx.conf, written by hand, says the same.
"""

from __future__ import annotations

# The site's policy: no inline script or style, nothing from other hosts; 'wasm-unsafe-eval'
# lets the site's own search index (Pagefind) run as WebAssembly, it allows no JS eval.
SITE_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# Files from content/ that a browser may show as a document of their own: no script, no
# plugin, no request to anywhere, an origin of their own.
SANDBOX_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "media-src 'self'; frame-ancestors 'self'"
)
# The browser editor of the live site (`litfass admin`, /admin/) alone. Decap CMS compiles
# its widgets with `new Function` ('unsafe-eval'), styles through emotion's inline <style>
# ('unsafe-inline'), shows uploads as blob: images and talks to the git host's API, whose
# address the CI's configuration names (connect-src https:). Found by loading it in
# Chromium under the site's policy and reading the violations (tests/preview/test_cms.py).
ADMIN_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; font-src 'self' data:; "
    "connect-src 'self' https:; frame-src 'self' blob:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self' https:"
)
# Sent with every answer, 404s and redirects too; the policy is one of the three above.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

REVALIDATE = "no-cache"  # HTML, feeds, calendars, plain-named theme files
IMMUTABLE = "public, max-age=31536000, immutable"  # theme files named by their content hash
REPLACEABLE = "public, max-age=3600"  # images, PDFs, fonts: may be replaced in place

# Theme files with a content hash in their name (static/style.3f9c2a1b.css), below the site.
FINGERPRINTED = r"static/.+\.[0-9a-f]{8}(\.[A-Za-z0-9]+)?"
# Content files a browser may open as a document of their own: sandboxed, and like images,
# PDFs and fonts (also the theme's plain-named ones) they may be replaced in place.
DOCUMENT_SUFFIXES = (
    "svg", "txt", "csv", "docx?", "odt", "ods", "odp", "xlsx?", "pptx?",
    "mp3", "m4a", "ogg", "oga", "opus", "wav", "mp4", "m4v", "webm", "ogv",
)  # fmt: skip
REPLACEABLE_SUFFIXES = ("jpe?g", "png", "gif", "webp", "avif", "ico", "pdf", "woff2?")
# Calendars are sandboxed too, but revalidated like feeds. PDFs keep the site's policy:
# Chrome shows no PDF in a sandbox, and a PDF's script runs in the viewer, never as the site.
SANDBOXED_SUFFIXES = (*DOCUMENT_SUFFIXES, "ics")

# The types of the text files the build compresses, with their charset; feeds by name.
TEXT_TYPES = {
    "html": "text/html",
    "css": "text/css",
    "js": "text/javascript",
    "mjs": "text/javascript",
    "json": "application/json",
    "xml": "text/xml",
    "ics": "text/calendar",
    "svg": "image/svg+xml",
    "txt": "text/plain",
    "webmanifest": "application/manifest+json",
}
FEED_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}
CHARSET = "utf-8"
