"""The SVG allowlist (render/svg_sanitise.py): every bypass of issue 13 is refused, with the reason; the SVGs
credstack itself makes and the ones design tools write pass unchanged."""

from __future__ import annotations

import time

import pytest

from credstack.render import badge_svg
from credstack.render.svg_sanitise import UnsafeSvg, check_svg
from credstack.vc import baking

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{}</svg>'

REFUSED = {
    # the bypasses the review found through the old pattern filter
    "css url() to another document": "<style>rect { fill: url(https://tracker.example/p.svg#g) }</style><rect/>",
    "css url() in a style attribute": '<rect style="fill:url(//tracker.example/a.svg#x)"/>',
    "escaped @import": '<style>@\\69mport "https://evil.example/x.css";</style>',
    "@import after a comment": "<style>/* hi */@import url(x.css);</style>",
    "xml-stylesheet": '<?xml-stylesheet href="https://evil.example/x.css"?><rect/>',
    "set onmouseover": '<rect><set attributeName="onmouseover" to="alert(1)"/></rect>',
    "animate href": '<a href="#a"><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a>',
    "image href outside": '<image href="https://tracker.example/x.png"/>',
    "image xlink:href outside": '<image xlink:href="//tracker.example/x.png"/>',
    "image src": '<image src="https://tracker.example/x.png"/>',
    # the classics
    "script": "<script>alert(1)</script>",
    "event handler": '<rect onload="alert(1)"/>',
    "event handler, odd case": '<rect ONclick="alert(1)"/>',
    "javascript link": '<a xlink:href="javascript:alert(1)"><text>x</text></a>',
    "javascript link with spaces": '<a href=" jav&#x09;ascript:alert(1)"><text>x</text></a>',
    "foreignObject": "<foreignObject><div>x</div></foreignObject>",
    "html namespace": '<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
    "use of another file": '<use href="other.svg#icon"/>',
    "feImage outside": '<filter id="f"><feImage href="https://tracker.example/x.png"/></filter>',
    "data svg image": '<image href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0Lz48L3N2Zz4="/>',
    "font-face src": "<style>@font-face { font-family: x; src: url(https://fonts.example/x.woff) }</style>",
    "image-set": '<rect style="fill: image-set(&quot;https://x.example/a.png&quot; 1x)"/>',
    "escaped url()": "<style>rect { fill: \\75 rl(https://x.example/a) }</style>",
    "cursor url": '<rect cursor="url(https://x.example/c.cur), auto"/>',
    "filter attribute to another file": '<rect filter="url(https://x.example/f.svg#f)"/>',
    "unknown element": "<iframe/>",
    "unknown attribute": '<rect formaction="x"/>',
    "moz-binding": '<rect style="-moz-binding: url(#x)"/>',
}


@pytest.mark.parametrize("body", list(REFUSED.values()), ids=list(REFUSED))
def test_every_bypass_is_refused_with_a_reason(body):
    document = SVG.format(body)
    if body.startswith("<?"):
        document = body.split("?>")[0] + "?>" + SVG.format(body.split("?>", 1)[1])
    with pytest.raises(UnsafeSvg) as refused:
        check_svg(document.encode())
    assert str(refused.value)


def test_doctype_entities_and_other_encodings_are_refused():
    for data in (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        '<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
        b"<svg><rect/></svg>",  # no SVG namespace: not an SVG a browser renders as one
    ):
        with pytest.raises(UnsafeSvg):
            check_svg(data)


@pytest.mark.parametrize("shape", ["circle", "shield", "hexagon"])
@pytest.mark.parametrize("name", ["Foundations of Data Analysis", "تحليل البيانات", "数据分析基础"])
def test_the_badges_credstack_makes_pass_baked_or_not(shape, name):
    svg = badge_svg(name, "#1d3f6e", shape=shape, issuer="Northbridge & Co <Ltd>")
    check_svg(svg.encode())
    check_svg(baking.bake_svg(svg, '{"id": "urn:uuid:1"}').encode())


DESIGN_TOOL_SVGS = [
    # Inkscape: sodipodi/inkscape metadata and attributes, RDF metadata
    """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:svg="http://www.w3.org/2000/svg" xmlns="http://www.w3.org/2000/svg"
 xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
 xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="210mm" height="297mm" viewBox="0 0 210 297"
 version="1.1" id="svg8" inkscape:version="1.0" sodipodi:docname="logo.svg">
 <defs id="defs2"><linearGradient id="g1"><stop offset="0" style="stop-color:#1d3f6e;stop-opacity:1"/></linearGradient></defs>
 <sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="0.35"/>
 <metadata id="metadata5"><rdf:RDF><rdf:Description><dc:title>Logo</dc:title></rdf:Description></rdf:RDF></metadata>
 <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
  <rect style="fill:url(#g1);stroke:none" width="100" height="50" x="10" y="10" id="rect10"/>
  <text xml:space="preserve" style="font-size:10.58px;font-family:sans-serif" x="20" y="40"><tspan x="20" y="40">Acme</tspan></text>
 </g></svg>""",
    # Illustrator: a <style> with classes, data-name, an embedded PNG, a clip path and a gradient by url(#)
    """<svg id="Layer_1" data-name="Layer 1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">
<defs><style>.cls-1{fill:url(#linear-gradient);}.cls-2{clip-path:url( "#clip-path" );}@media (prefers-color-scheme: dark){.cls-1{opacity:.9}}</style>
<linearGradient id="linear-gradient" x1="0" y1="0" x2="100" y2="100" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="#d4a83c"/></linearGradient>
<clipPath id="clip-path"><circle cx="50" cy="50" r="40"/></clipPath></defs>
<title>badge</title><g class="cls-2"><rect class="cls-1" width="100" height="100"/>
<image width="10" height="10" xlink:href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/>
<use xlink:href="#clip-path" fill="#fff"/><animate attributeName="opacity" values="0;1" dur="1s"/></g></svg>""",
]


@pytest.mark.parametrize("svg", DESIGN_TOOL_SVGS, ids=["inkscape", "illustrator"])
def test_svgs_from_design_tools_pass(svg):
    check_svg(svg.encode())


def test_a_huge_svg_is_checked_in_linear_time():
    body = '<rect style="fill:url(#g)" x="1"/>' * 10_000 + "<style>" + ".a{fill:red}" * 10_000 + "</style>"
    start = time.process_time()  # CPU time: another process's load does not count
    check_svg(SVG.format(body).encode())
    assert time.process_time() - start < 10  # ~0.4 s of CPU; a quadratic check needs minutes
