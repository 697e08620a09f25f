"""Menus as brochures: a generator of PDF menus (fpdf2) with their ground truth, shared by the
menu-extraction tests and `make bench-menus`. Layouts: one column with prices right-aligned, one
column with dot leaders, two columns; price formats £12.50, 12,50 €, 12.5, EUR 12, $14.00; an
optional package page; dietary marks (v), (vg), (gf)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from fpdf import FPDF

SECTIONS = {
    "Starters": ["Burrata", "Cured trout", "Beetroot carpaccio", "Chicken liver parfait", "Crab croquettes", "Heritage tomato salad",
                 "Smoked mackerel pate", "Onion soup", "Scallop ceviche", "Whipped feta"],
    "Mains": ["Beef rib", "Wild mushroom risotto", "Roast cod", "Lamb rump", "Pork belly", "Aubergine tagine", "Duck breast",
              "Hake with mussels", "Chicken supreme", "Cauliflower steak"],
    "Desserts": ["Treacle tart", "Dark chocolate delice", "Lemon posset", "Apple crumble", "Cheese board", "Panna cotta",
                 "Sticky toffee pudding", "Rhubarb trifle"],
    "Drinks": ["House red", "House white", "Prosecco", "Negroni", "Craft lager", "Elderflower spritz", "Espresso martini"],
}
EXTRAS = ["with herbs", "and brown butter", "with salsa verde", "and pickled shallot", "with sourdough", "and hazelnuts"]
DESCRIPTIONS = ["slow cooked, seasonal greens", "served with a glass of house wine on request", "local produce, chef's garnish",
                "finished with olive oil and sea salt", "a house favourite since we opened"]
MARKS = [("(v)", "vegetarian"), ("(vg)", "vegan"), ("(gf)", "gluten_free")]
FORMATS = ["gbp", "eur_suffix", "bare", "eur_code", "usd"]
LAYOUTS = ["single", "leaders", "two_column"]


@dataclass
class Item:
    name: str
    price_minor: int
    dietary: list[str] = field(default_factory=list)
    description: str | None = None


@dataclass
class Package:
    name: str
    price_minor: int
    min_guests: int


@dataclass
class Menu:
    title: str
    layout: str
    price_format: str
    sections: dict[str, list[Item]]
    packages: list[Package] = field(default_factory=list)
    # Harder variants (bench corpus): headings in Title Case instead of capitals, a space after the
    # currency symbol ("£ 12.50"), and unpriced lines ("Market fish, ask your server") that are
    # not items and must not be read as one.
    title_case_headings: bool = False
    spaced_symbol: bool = False
    unpriced: list[str] = field(default_factory=list)

    @property
    def currency(self):
        return {"gbp": "GBP", "eur_suffix": "EUR", "eur_code": "EUR", "usd": "USD", "bare": None}[self.price_format]


def price_text(minor: int, fmt: str, spaced: bool = False) -> str:
    whole, cents = divmod(minor, 100)
    if fmt == "gbp":
        return f"£ {whole}.{cents:02d}" if spaced else f"£{whole}.{cents:02d}"
    if fmt == "eur_suffix":
        return f"{whole},{cents:02d} €"
    if fmt == "usd":
        return f"$ {whole}.{cents:02d}" if spaced else f"${whole}.{cents:02d}"
    short = f"{minor / 100:g}"  # 12.5, 12
    return f"EUR {short}" if fmt == "eur_code" else short


def generate(seed: int, layout: str | None = None, price_format: str | None = None, packages: bool | None = None,
             hard: bool = False) -> Menu:
    rng = random.Random(seed)
    layout = layout or LAYOUTS[seed % len(LAYOUTS)]
    price_format = price_format or FORMATS[(seed // len(LAYOUTS)) % len(FORMATS)]
    sections = {}
    for section, names in SECTIONS.items():
        chosen = rng.sample(names, rng.randint(3, 5))
        items = []
        for name in chosen:
            if rng.random() < 0.3:
                name = f"{name} {rng.choice(EXTRAS)}"
            base = {"Starters": 800, "Mains": 1800, "Desserts": 700, "Drinks": 500}[section]
            minor = base + rng.randint(0, 24) * 50 + (rng.choice([0, 0, 25, 95]) if price_format not in ("bare", "eur_code") else 0)
            dietary = [rng.choice(MARKS)[1]] if rng.random() < 0.3 else []
            description = rng.choice(DESCRIPTIONS) if layout != "two_column" and rng.random() < 0.4 else None
            items.append(Item(name, minor, dietary, description))
        sections[section] = items
    menu = Menu(title=f"The {rng.choice(['Harbour', 'Copper', 'Orchard', 'Lantern', 'Granary'])} Room", layout=layout,
                price_format=price_format, sections=sections)
    if hard:
        menu.title_case_headings = rng.random() < 0.5
        menu.spaced_symbol = rng.random() < 0.5
        menu.unpriced = rng.sample(["Market fish, ask your server", "Bread and olives on the house", "Seasonal sorbet, changes daily"], 1)
    if packages if packages is not None else seed % 2 == 0:
        menu.packages = [Package("Silver Package", 4500 + rng.randint(0, 10) * 100, 15),
                         Package("Gold Package", 7500 + rng.randint(0, 10) * 100, 20)]
    return menu


def heading(menu: Menu, section: str) -> str:
    return section if menu.title_case_headings else section.upper()


def label(item: Item) -> str:
    marks = {tag: mark for mark, tag in reversed(MARKS)}
    return item.name + "".join(f" {marks[t]}" for t in item.dietary)


def render(menu: Menu) -> bytes:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, menu.title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 8, "Winter Menu", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    if menu.layout == "two_column":
        names = list(menu.sections)
        top = pdf.get_y()
        bottoms = []
        for column, x in ((names[:2], 12), (names[2:], 110)):
            pdf.set_y(top)
            for section in column:
                pdf.set_x(x)
                pdf.set_font("Helvetica", "B", 13)
                pdf.cell(85, 9, heading(menu, section), new_x="LEFT", new_y="NEXT")
                pdf.set_font("Helvetica", "", 10)
                for item in menu.sections[section]:
                    pdf.set_x(x)
                    pdf.cell(65, 6, label(item))
                    pdf.cell(20, 6, price_text(item.price_minor, menu.price_format, menu.spaced_symbol), align="R", new_x="LEFT", new_y="NEXT")
                    pdf.set_x(x)
                pdf.ln(3)
            bottoms.append(pdf.get_y())
        pdf.set_y(max(bottoms))
    else:
        for section, items in menu.sections.items():
            pdf.set_font("Helvetica", "B", 13)
            pdf.cell(0, 9, heading(menu, section), new_x="LMARGIN", new_y="NEXT")
            for item in items:
                pdf.set_font("Helvetica", "", 11)
                price = price_text(item.price_minor, menu.price_format, menu.spaced_symbol)
                if menu.layout == "leaders":
                    text = label(item) + " " + "." * max(3, 70 - len(label(item)) - len(price)) + " " + price
                    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
                else:
                    pdf.cell(150, 7, label(item))
                    pdf.cell(30, 7, price, align="R", new_x="LMARGIN", new_y="NEXT")
                if item.description:
                    pdf.set_font("Helvetica", "I", 9)
                    pdf.cell(0, 5, item.description, new_x="LMARGIN", new_y="NEXT")
            if menu.unpriced and section == "Mains":
                pdf.set_font("Helvetica", "", 11)
                pdf.cell(0, 7, menu.unpriced[0], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    if menu.packages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, "PACKAGES", new_x="LMARGIN", new_y="NEXT")
        for package in menu.packages:
            pdf.set_font("Helvetica", "", 12)
            pdf.cell(0, 8, f"{package.name}   {price_text(package.price_minor, menu.price_format)} per person (min {package.min_guests} guests)",
                     new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "I", 9)
            pdf.cell(0, 5, "Three courses, welcome drink and coffee", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A page with drawings and no text layer, like a scan."""
    pdf = FPDF()
    pdf.add_page()
    for i in range(12):
        pdf.rect(15 + i * 5, 20 + i * 12, 120, 8, style="F")
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner-secret", user_password="guest-secret")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 10, "STARTERS", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, "Soup   £6.50", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def corrupt_pdf() -> bytes:
    rng = random.Random(7)
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog" + bytes(rng.randrange(256) for _ in range(4000))


def long_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", "", 12)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Page {page + 1}: Soup   £6.50", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
