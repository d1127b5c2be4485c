"""SVG drawings rebuilt from an allowlist: what is published is a new file, never the editor's.

Only the elements and attributes of a static drawing are copied into a fresh tree, styles
only after tinycss2 has tokenised them, references only to `#fragment`s inside the drawing;
what cannot be made safe (not SVG, not well-formed) is refused. See docs/security.md.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from litfass.content import images
from litfass.errors import LitfassError, unreadable
from litfass.i18n import _

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
MAX_SVG = 5 * 1024 * 1024  # a drawing, not a data dump: a larger one is refused unread

_SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
_TEXT = {"text", "tspan", "textPath"}
# Filter primitives compute pixels from what the drawing already shows; feImage is left out
# (it loads a picture or a part of the document by reference).
_FILTERS = {
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
    "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
    "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
    "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
    "feSpotLight", "feTile", "feTurbulence",
}  # fmt: skip
_ELEMENTS = {
    *_SHAPES, *_TEXT, *_FILTERS,
    "svg", "g", "defs", "symbol", "use", "switch", "title", "desc", "style", "image",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
}  # fmt: skip
# What a reader sees: a drawing with none of these left showed only what came from elsewhere.
_DRAWN = {*_SHAPES, *_TEXT, "use", "image"}
# A link's drawing is kept, the link (to anywhere) is not.
_UNWRAPPED = {"a"}
# Elements whose href names another part of the drawing (a template, a path, a shape).
_REFERRING = {"use", "textPath", "linearGradient", "radialGradient", "pattern", "filter"}

# Presentation properties: as attributes and in style, their values tokenised by tinycss2.
# Left out on purpose: cursor (loads a picture), and anything not drawing-related.
PROPERTIES = frozenset({
    "alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color",
    "color-interpolation", "color-interpolation-filters", "direction", "display",
    "dominant-baseline", "fill", "fill-opacity", "fill-rule", "filter", "flood-color",
    "flood-opacity", "font", "font-family", "font-feature-settings", "font-kerning",
    "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant",
    "font-variant-caps", "font-variant-ligatures", "font-variant-numeric", "font-weight",
    "image-rendering", "isolation", "letter-spacing", "lighting-color", "line-height", "marker",
    "marker-end", "marker-mid", "marker-start", "mask", "mask-type", "mix-blend-mode",
    "opacity", "overflow", "paint-order", "shape-rendering", "stop-color", "stop-opacity",
    "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor", "text-decoration",
    "text-rendering", "transform-box", "transform-origin", "unicode-bidi", "vector-effect",
    "visibility", "white-space", "word-spacing", "writing-mode",
})  # fmt: skip
# Geometry and structure: plain values that name nothing outside the drawing.
_ATTRIBUTES = frozenset({
    "id", "class", "style", "transform", "d", "points", "x", "y", "x1", "y1", "x2", "y2", "cx",
    "cy", "r", "rx", "ry", "fx", "fy", "fr", "width", "height", "viewBox",
    "preserveAspectRatio", "version", "baseProfile", "pathLength", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side", "offset",
    "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
    "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "markerUnits",
    "markerWidth", "markerHeight", "refX", "refY", "orient", "filterUnits", "primitiveUnits",
    "in", "in2", "result", "stdDeviation", "mode", "type", "values", "operator", "k1", "k2",
    "k3", "k4", "tableValues", "slope", "intercept", "amplitude", "exponent", "order",
    "kernelMatrix", "divisor", "bias", "targetX", "targetY", "edgeMode", "kernelUnitLength",
    "preserveAlpha", "radius", "scale", "xChannelSelector", "yChannelSelector", "baseFrequency",
    "numOctaves", "seed", "stitchTiles", "surfaceScale", "diffuseConstant", "specularConstant",
    "specularExponent", "azimuth", "elevation", "pointsAtX", "pointsAtY", "pointsAtZ", "z",
    "limitingConeAngle", "systemLanguage", "role", "aria-label", "aria-labelledby",
    "aria-describedby", "aria-hidden", "lang",
})  # fmt: skip
_XML_ATTRIBUTES = {f"{{{XML}}}space", f"{{{XML}}}lang"}  # not xml:base: it moves references
# Brackets and functions nested deeper than this are no drawing's style (and would exhaust
# the recursion of the checks and of tinycss2's serialiser): the value is dropped.
_NESTING = 8
_FRAGMENT = re.compile(r"#[A-Za-z_][\w.:-]*")
# CSS functions that compute a colour or a transform: nothing else (no url but `#local`).
_FUNCTIONS = {
    "rgb", "rgba", "hsl", "hsla", "calc", "matrix", "translate", "translatex", "translatey",
    "scale", "scalex", "scaley", "rotate", "skewx", "skewy", "blur", "brightness", "contrast",
    "drop-shadow", "grayscale", "hue-rotate", "invert", "saturate", "sepia",
}  # fmt: skip
# Pictures drawn into an SVG are decoded and encoded again (without their metadata, like
# every content image); anything else named by a data: address is dropped.
_EMBEDDED = re.compile(r"data:image/(png|jpeg|jpg|gif|webp);base64,(.*)", re.I | re.S)


class Refused(Exception):
    """An SVG that cannot be made safe: the line (0 when unknown) and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def clean(data: bytes) -> bytes:
    """The drawing rebuilt from what is static and inside it; raises `Refused`."""
    root = _parsed(data)
    made = _Rebuild().tree(root)
    import lxml.etree

    lxml.etree.cleanup_namespaces(made, top_nsmap={None: SVG, "xlink": XLINK})  # type: ignore[dict-item]
    return lxml.etree.tostring(made, encoding="UTF-8", xml_declaration=True) + b"\n"


def problem(path: Path) -> tuple[int, str] | None:
    """(line, why) the SVG at `path` cannot be published, if it cannot."""
    if path.stat().st_size > MAX_SVG:
        return 0, too_large()
    return data_problem(path.read_bytes())


def data_problem(data: bytes) -> tuple[int, str] | None:
    """(line, why) these SVG bytes cannot be published, if they cannot (the build's check,
    also for a drawing uploaded in the browser editor)."""
    try:
        clean(data)
    except Refused as exc:
        return exc.line, exc.message
    return None


def produce(source: Path, shown: str) -> bytes:
    """The published bytes of a content SVG: rebuilt, never copied."""
    try:
        return clean(source.read_bytes())
    except Refused as exc:
        raise LitfassError.at(shown, exc.line, exc.message) from None
    except OSError as exc:
        raise LitfassError.at(shown, 0, unreadable(exc)) from None


def too_large() -> str:
    return _("SVG file is too large (at most 5 MB)")


def _parsed(data: bytes) -> Any:
    """The root element, read by the file alone: no DTD loaded, no entity of the file's own
    resolved into text, nothing from the network, libxml2's limits on size and depth."""
    import lxml.etree  # here: a site without SVGs never needs it

    if len(data) > MAX_SVG:
        raise Refused(0, too_large())
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise Refused(
            exc.lineno or 0, _("not a valid SVG file: {reason}").format(reason=exc.msg)
        ) from None
    if lxml.etree.QName(root).localname != "svg":
        raise Refused(_line(root), _("not an SVG drawing: its first element is not <svg>"))
    if lxml.etree.QName(root).namespace != SVG:
        raise Refused(
            _line(root),
            _('not an SVG drawing: <svg> lacks xmlns="{namespace}"').format(namespace=SVG),
        )
    return root


class _Rebuild:
    """One drawing copied element by element into a new tree."""

    def __init__(self) -> None:
        self.drawn = 0  # elements that show something, kept
        self.removed = False  # something was left out

    def tree(self, root: Any) -> Any:
        import lxml.etree

        made = lxml.etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG})  # type: ignore[dict-item]
        self._attributes(root, made)
        made.text = root.text
        for child in root:
            self._node(child, made)
        if not self.drawn and self.removed:
            raise Refused(
                _line(root),
                _(
                    "nothing of the drawing is left once what could run script or load from "
                    "elsewhere is removed; export it again as a plain drawing"
                ),
            )
        return made

    def _node(self, node: Any, parent: Any) -> None:
        """Copy `node` (and its tail) below `parent`, unless it is not part of a drawing."""
        import lxml.etree

        if isinstance(node, lxml.etree._Entity):
            raise Refused(
                _line(node.getparent()),
                _("SVG uses the entity '{entity}' in its text; export it again without").format(
                    entity=node.text
                ),
            )
        if not isinstance(node.tag, str):  # a comment or processing instruction
            _append_text(parent, node.tail)
            return
        name = lxml.etree.QName(node)
        if name.namespace == SVG and name.localname in _UNWRAPPED:
            self.removed = True
            _append_text(parent, node.text)
            for child in node:
                self._node(child, parent)
        elif name.namespace == SVG and name.localname in _ELEMENTS:
            self._element(node, name.localname, parent)
        else:
            self.removed = True
        _append_text(parent, node.tail)

    def _element(self, node: Any, local: str, parent: Any) -> None:
        import lxml.etree

        if local == "style":
            css = _stylesheet(node)
            if css:
                made = lxml.etree.SubElement(parent, f"{{{SVG}}}style")
                made.text = css
            self.removed = self.removed or not css
            return
        picture = _picture(node) if local == "image" else None
        if local == "image" and picture is None:
            self.removed = True
            return
        made = lxml.etree.SubElement(parent, f"{{{SVG}}}{local}")
        self._attributes(node, made)
        if picture is not None:
            made.set("href", picture)
        if local == "use" and made.get("href") is None and made.get(f"{{{XLINK}}}href") is None:
            parent.remove(made)  # it pointed elsewhere: nothing to show
            return
        self.drawn += local in _DRAWN
        made.text = node.text
        for child in node:
            self._node(child, made)

    def _attributes(self, node: Any, made: Any) -> None:
        """Copy the attributes of a static drawing, in their order; drop the rest."""
        import lxml.etree

        local = lxml.etree.QName(node).localname
        for key, value in node.attrib.items():
            kept = _attribute(local, key, value)
            if kept is None:
                self.removed = True
            else:
                made.set(key, kept)


def _attribute(element: str, key: str, value: str) -> str | None:
    """The value to keep for an attribute, or None to drop it."""
    if key in _XML_ATTRIBUTES:
        return value
    if key in ("href", f"{{{XLINK}}}href"):
        target = value.strip()
        ok = element in _REFERRING and _FRAGMENT.fullmatch(target)
        return target if ok else None
    if key.startswith("{"):  # another namespace: an editor's or an attacker's
        return None
    if key == "style":
        return _declarations(value) or None
    if key in PROPERTIES:
        return _value(value)
    return value if key in _ATTRIBUTES and _plain(value) else None


def _append_text(parent: Any, text: str | None) -> None:
    """Add text at the end of `parent`'s content, after its last child if it has one."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _line(node: object) -> int:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else 0


# --- CSS, after real tokenisation -----------------------------------------------------


def _stylesheet(node: Any) -> str:
    """The rules of a <style> element that only select and paint; no at-rule survives
    (@import, @font-face, @namespace...). An element inside <style> is no CSS: dropped."""
    import tinycss2

    if len(node) or (node.get("type") or "text/css").strip().lower() != "text/css":
        return ""
    kept = []
    for rule in tinycss2.parse_stylesheet(
        node.text or "", skip_comments=True, skip_whitespace=True
    ):
        if rule.type != "qualified-rule" or not _selector(rule.prelude):
            continue
        body = _declarations(rule.content)
        if body:
            kept.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
    return "\n".join(kept)


def _selector(tokens: Iterable[Any], depth: int = 0) -> bool:
    """Plain selectors: names, #ids, .classes, combinators and [attribute] tests."""
    if depth > _NESTING:
        return False
    for token in tokens:
        kind = token.type
        if kind == "literal" and token.value in (".", ",", "*", ">", "+", "~", ":"):
            continue
        if kind in ("whitespace", "ident", "hash", "string"):
            continue
        if kind == "[] block" and _selector(token.content, depth + 1):
            continue
        if kind == "literal" and token.value in ("=", "^=", "$=", "*=", "|=", "~="):
            continue
        return False
    return True


def _declarations(css: str | list[Any]) -> str:
    """The declarations of a style attribute (or rule) whose property and value are safe."""
    import tinycss2

    kept = []
    for item in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration" or item.lower_name not in PROPERTIES:
            continue
        value = _value(item.value)
        if value is not None:
            kept.append(f"{item.lower_name}:{value}{'!important' if item.important else ''}")
    return ";".join(kept)


def _value(value: str | list[Any]) -> str | None:
    """A property's value, serialised anew, if it names nothing outside the drawing."""
    import tinycss2

    tokens = tinycss2.parse_component_value_list(value) if isinstance(value, str) else value
    if not _safe_tokens(tokens):
        return None
    return tinycss2.serialize(tokens).strip()


def _safe_tokens(tokens: Iterable[Any], depth: int = 0) -> bool:
    if depth > _NESTING:
        return False
    for token in tokens:
        kind = token.type
        if kind in ("whitespace", "ident", "number", "percentage", "dimension", "hash", "string"):
            continue
        if kind == "literal" and token.value in (",", "/", "+", "-", "*"):
            continue
        if kind == "url" and _FRAGMENT.fullmatch(token.value):
            continue
        if kind == "function" and token.lower_name == "url" and _local_url(token.arguments):
            continue
        inner = token.arguments if kind == "function" else ()
        if kind == "function" and token.lower_name in _FUNCTIONS and _safe_tokens(inner, depth + 1):
            continue
        return False
    return True


def _plain(value: str) -> bool:
    """Whether a geometry or structure value names nothing a CSS parser would load (browsers
    read some of them as CSS: SVG 2's geometry properties), whatever else it holds."""
    import tinycss2

    return _loads_nothing(tinycss2.parse_component_value_list(value))


def _loads_nothing(tokens: Iterable[Any], depth: int = 0) -> bool:
    if depth > _NESTING:
        return False
    for token in tokens:
        if token.type in ("url", "at-keyword", "error"):  # error: a broken url( among them
            return False
        if token.type == "function" and token.lower_name not in _FUNCTIONS:
            return False
        inner = getattr(token, "arguments", None) or getattr(token, "content", None) or ()
        if not _loads_nothing(inner, depth + 1):
            return False
    return True


def _local_url(arguments: list[Any]) -> bool:
    """url("#id"): one string naming a fragment of this drawing."""
    values = [t for t in arguments if t.type != "whitespace"]
    return (
        len(values) == 1
        and values[0].type == "string"
        and bool(_FRAGMENT.fullmatch(values[0].value))
    )


# --- pictures drawn into the SVG ------------------------------------------------------


def _picture(node: Any) -> str | None:
    """A data: address of the <image>'s picture encoded again without its metadata, or None
    when it names anything else (another file, another host, an SVG, a broken picture)."""
    href = node.get("href") or node.get(f"{{{XLINK}}}href") or ""
    found = _EMBEDDED.fullmatch(href.strip())
    if not found:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s+", "", found.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _encoded_again(data, _line(node))


def _encoded_again(data: bytes, line: int) -> str | None:
    """PNG (or JPEG for a photo) made anew from the decoded pixels: no EXIF, XMP, GPS."""
    from PIL import Image, UnidentifiedImageError

    try:
        with images.quiet(), Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > images.MAX_PIXELS:
                raise Refused(line, images.too_large(width, height))
            if image.format not in ("PNG", "JPEG", "GIF", "WEBP"):
                return None
            fmt = "jpeg" if image.format == "JPEG" else "png"
            pixels = image.convert("RGB" if fmt == "jpeg" else "RGBA")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(line, images.too_large()) from None
    buffer = io.BytesIO()
    if fmt == "jpeg":
        pixels.save(buffer, "jpeg", quality=90, optimize=True)
    else:
        pixels.save(buffer, "png", optimize=True)
    return f"data:image/{fmt};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"
