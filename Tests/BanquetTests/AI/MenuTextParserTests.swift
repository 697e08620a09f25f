import BanquetCore
import Connectors
import Testing

/// The offline menu parser on the text shapes `pdftotext -layout` produces.
@Suite("Menu text parser")
struct MenuTextParserTests {
    @Test func readsPriceFormatsSectionsDescriptionsAndDietaryMarks() {
        let text = """
                       The Copper Room
                         Winter Menu

            STARTERS
            Burrata (v)                                   £11.50
              blood orange, basil oil
            Soup of the day ............................. 6,50 €
            Cured trout GF                                  12.5
            MAINS
            Beef rib                                      EUR 34
            Cod, mussels                                  $21.00
            Risotto (vg) (gf)                                 19
            """
        let menu = MenuTextParser.parse(text)
        #expect(menu.name == "The Copper Room")
        #expect(menu.currency == "GBP")
        #expect(menu.sections.map(\.name) == ["STARTERS", "MAINS"])
        let items = menu.sections.flatMap(\.items)
        #expect(items.map(\.name) == ["Burrata", "Soup of the day", "Cured trout", "Beef rib", "Cod, mussels", "Risotto"])
        #expect(items.map(\.priceMinor) == [1150, 650, 1250, 3400, 2100, 1900])
        #expect(items[0].description == "blood orange, basil oil" && items[0].dietary == ["vegetarian"])
        #expect(items[2].dietary == ["gluten_free"])
        #expect(items[5].dietary == ["vegan", "gluten_free"])
    }

    @Test func readsTwoColumnsLeftColumnFirst() {
        let text = """
                                The Granary Room
            STARTERS                                     DESSERTS
            Whipped feta                  £8.50          Lemon posset           £7.00
            Onion soup                    £7.25          Cheese board          £12.00
            MAINS                                        Apple crumble          £6.50
            Lamb rump                    £24.00
            """
        let menu = MenuTextParser.parse(text)
        #expect(menu.sections.map(\.name) == ["STARTERS", "MAINS", "DESSERTS"])
        #expect(menu.sections.flatMap(\.items).map(\.name) == ["Whipped feta", "Onion soup", "Lamb rump", "Lemon posset", "Cheese board", "Apple crumble"])
        #expect(menu.sections.flatMap(\.items).map(\.priceMinor) == [850, 725, 2400, 700, 1200, 650])
    }

    @Test func readsPackagesWithTheirMinimumParty() {
        let text = """
            PACKAGES
            Gold Package   £75.00 per person (min 20 guests)
            Three courses and a welcome drink
            Silver Package   £45 pp
            """
        let menu = MenuTextParser.parse(text)
        #expect(menu.itemCount == 0)
        #expect(menu.packages.map(\.name) == ["Gold Package", "Silver Package"])
        #expect(menu.packages.map(\.pricePerGuestMinor) == [7500, 4500])
        #expect(menu.packages.map(\.minGuests) == [20, nil])
        #expect(menu.packages[0].description == "Three courses and a welcome drink")
    }
}

/// Our own validation of model answers.
@Suite("JSON schema validation")
struct JSONSchemaValidatorTests {
    let schema: JSONValue = .object([
        "type": .string("object"), "additionalProperties": .bool(false), "required": .array([.string("items"), .string("note")]),
        "properties": .object([
            "note": .object(["type": .array([.string("string"), .string("null")])]),
            "items": .object(["type": .string("array"), "minItems": .number(1), "items": .object([
                "type": .string("object"), "required": .array([.string("quantity")]),
                "properties": .object(["quantity": .object(["type": .string("integer"), "minimum": .number(1)]),
                                       "kind": .object(["type": .string("string"), "enum": .array([.string("a"), .string("b")])])]),
            ])]),
        ]),
    ])

    @Test func acceptsAValidAnswerWithANullableNull() throws {
        let fenced = """
            ```json
            {"note": null, "items": [{"quantity": 2, "kind": "a"}]}
            ```
            """
        let answer = try #require(JSONValue.parse(modelAnswer: fenced))
        #expect(JSONSchemaValidator.validate(answer, against: schema).isEmpty)
    }

    @Test func namesEveryProblemWithItsPath() throws {
        let answer = try #require(JSONValue.parse(modelAnswer: #"{"items": [{"quantity": 0.5, "kind": "c"}, {}], "extra": 1}"#))
        #expect(JSONSchemaValidator.validate(answer, against: schema) == [
            "$.note: is required",
            "$.extra: is not allowed",
            "$.items[0].kind: must be one of a, b",
            "$.items[0].quantity: expected integer, got number",
            "$.items[1].quantity: is required",
        ])
    }

    @Test func proseIsNotJSON() {
        #expect(JSONValue.parse(modelAnswer: "Here is your menu: soup, £5") == nil)
    }
}
