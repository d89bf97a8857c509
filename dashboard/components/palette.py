"""Okabe-Ito colours: distinguishable with the common forms of colour blindness.

Colour is never the only carrier of meaning: every coloured mark also has a word,
an icon or a pattern next to it.
"""

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

# Flag severities: colour plus a shape (octagon, triangle, circle) plus the severity
# word from the catalog. The icons are inline SVG, so they need no emoji font.
SEVERITY_COLOURS = {"red": VERMILLION, "amber": ORANGE, "info": BLUE}
_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="1.15em" height="1.15em" '
    'style="vertical-align: -0.2em;" aria-hidden="true" focusable="false">{}</svg>'
)
SEVERITY_ICONS = {
    # stop sign: octagon with "!"
    "red": _SVG.format(
        f'<polygon points="7,1 17,1 23,7 23,17 17,23 7,23 1,17 1,7" fill="{VERMILLION}"/>'
        '<rect x="10.6" y="5" width="2.8" height="9" fill="#fff"/>'
        '<rect x="10.6" y="16" width="2.8" height="2.8" fill="#fff"/>'
    ),
    # warning: triangle with "!"
    "amber": _SVG.format(
        f'<polygon points="12,1 23.5,22 0.5,22" fill="{ORANGE}"/>'
        '<rect x="10.8" y="8" width="2.4" height="7.5" fill="#000"/>'
        '<rect x="10.8" y="17" width="2.4" height="2.4" fill="#000"/>'
    ),
    # information: circle with "i"
    "info": _SVG.format(
        f'<circle cx="12" cy="12" r="11" fill="{BLUE}"/>'
        '<rect x="10.8" y="10" width="2.4" height="8.5" fill="#fff"/>'
        '<rect x="10.8" y="5.5" width="2.4" height="2.4" fill="#fff"/>'
    ),
}

DOMAIN_COLOUR = BLUE
INTERACTION_COLOUR = ORANGE
