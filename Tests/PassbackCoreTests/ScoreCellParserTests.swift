import Testing

@testable import PassbackCore

@Suite struct ScoreCellParserTests {
    static func parse(_ text: String, separator: UInt8 = UInt8(ascii: ","), general: Bool = false) -> ScoreCell {
        var bytes = Array(text.utf8)
        let parser = ScoreCellParser(fieldSeparator: separator)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            general ? parser.parseInGeneral(UnsafeBufferPointer(buffer)) : parser.parse(UnsafeBufferPointer(buffer))
        }
    }

    @Test(arguments: [
        ("9.00", "9"), ("9.50", "9.5"), ("9.05", "9.05"), ("0.00", "0"), ("10.00", "10"), ("100.00", "100"),
        ("123.45", "123.45"), ("1234.50", "1234.5"), ("09.50", "9.5"), ("7", "7"), ("12.5", "12.5"),
    ])
    func readsCanvasNumbers(text: String, expected: String) {
        #expect(Self.parse(text) == .points(ExactDecimal.parse(expected)!))
    }

    /// Canvas writes a decimal comma for a user whose locale has one, in `;` files and, when
    /// the user did not ask for semicolons, quoted in `,` files (`lib/csv_with_i18n.rb`).
    @Test func decimalCommasAsCanvasWritesThem() {
        #expect(Self.parse("9,50", separator: UInt8(ascii: ";")) == .points(ExactDecimal.parse("9.5")!))
        #expect(Self.parse("9.50", separator: UInt8(ascii: ";")) == .points(ExactDecimal.parse("9.5")!))
        #expect(Self.parse("9,50") == .points(ExactDecimal.parse("9.5")!), "\"9,50\" in a comma-separated file")
        #expect(Self.parse("9,5") == .points(ExactDecimal.parse("9.5")!))
        #expect(Self.parse("85,5%") == .percent(ExactDecimal.parse("85.5")!))
    }

    /// A spreadsheet that saved the gradebook again may add thousands marks.
    @Test(arguments: [
        ("1.000,5", "1000.5"), ("1,000.5", "1000.5"), ("1.000,50", "1000.5"), ("12,345,678.25", "12345678.25"), ("1.000.000", "1000000"),
        ("1,000,000", "1000000"), ("999,999.99", "999999.99"),
    ])
    func thousandsMarksInGroupsOfThree(text: String, expected: String) {
        for separator in [UInt8(ascii: ","), UInt8(ascii: ";")] {
            #expect(Self.parse(text, separator: separator) == .points(ExactDecimal.parse(expected)!), "\(text)")
        }
    }

    /// A lone mark that is not the file's decimal separator, before exactly three digits, is a
    /// thousand to one program and one to another: never guessed.
    @Test func aLoneThousandsShapedMarkIsAmbiguous() {
        #expect(Self.parse("1,000") == .invalid(text: "1,000", reason: .ambiguous))
        #expect(Self.parse("12,500") == .invalid(text: "12,500", reason: .ambiguous))
        #expect(Self.parse("1.000", separator: UInt8(ascii: ";")) == .invalid(text: "1.000", reason: .ambiguous))
        #expect(Self.parse("1.000") == .points(ExactDecimal(1)), "a point in a comma-separated file is the decimal point")
        #expect(Self.parse("1,000", separator: UInt8(ascii: ";")) == .points(ExactDecimal(1)), "a comma in a semicolon file is the decimal comma")
        #expect(Self.parse("0,500") == .points(ExactDecimal.parse("0.5")!), "no group starts with 0")
        #expect(Self.parse("1234,500") == .points(ExactDecimal.parse("1234.5")!), "a first group has at most three digits")
        #expect(Self.parse("-1,000") == .invalid(text: "-1,000", reason: .negative))
    }

    @Test(arguments: ["1.2.3", "1..00", "9.0a", "a.00", " 9.00", "9.", ".00", "1e5.00", "-9.00", "9.-0"])
    func fastPathsLeaveOddCellsToTheGrammar(text: String) {
        #expect(Self.parse(text) == Self.parse(text, general: true))
    }

    /// One strict grammar for score cells (digits, one decimal separator, an optional `%`):
    /// everything a spreadsheet, a locale or an attacker may write instead is `invalid-score`.
    @Test(arguments: [
        "NaN", "nan", "inf", "-inf", "Infinity", "0x10", "0X1p3", "1e3", "1E3", "1e-2", "1 000", "1'000",
        "1_000", "\u{FF11}\u{FF10}", "\u{0663}", "\u{1D7D7}", "+5", "\u{2212}5", "--5", "5-", "5%%", "%5", "5.5.5", "9.",
        "\u{00BD}", "five", "9 %", "=9", "@9", "9\u{00A0}", "\u{00A0}9", "0.5.", "..5", ",", "1,00.5", "1.000,000.5", ",000.5",
        "1,000.5.5", "0,000.5", "1.2,3,4", "1,0000.5", "9,", "1.000.00",
    ])
    func refusesWhatIsNotTheGrammar(text: String) {
        #expect(Self.parse(text) == .invalid(text: text.trimmingASCIISpaces(), reason: .unreadable))
    }

    @Test(arguments: ["-5", "-0.5", "-5%", "-0", "-0.00", "-.5", " -5 "])
    func aLeadingMinusIsANegativeScore(text: String) {
        #expect(Self.parse(text) == .invalid(text: text.trimmingASCIISpaces(), reason: .negative))
    }

    @Test func semicolonFilesTakeOneDecimalCommaAndThousandsInGroups() {
        let semicolon = UInt8(ascii: ";")
        #expect(Self.parse("1,5", separator: semicolon) == .points(ExactDecimal.parse("1.5")!))
        #expect(Self.parse("85,5%", separator: semicolon) == .percent(ExactDecimal.parse("85.5")!))
        #expect(Self.parse("1.000,5", separator: semicolon) == .points(ExactDecimal.parse("1000.5")!))
        #expect(Self.parse("1,000,5", separator: semicolon) == .invalid(text: "1,000,5", reason: .unreadable))
        #expect(Self.parse("-1,5", separator: semicolon) == .invalid(text: "-1,5", reason: .negative))
    }

    /// The fast paths must agree with the general grammar on every input.
    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";")])
    func fastPathsAgreeWithTheGrammarOnRandomCells(separator: UInt8) {
        var generator = SplitMix64(state: UInt64(separator))
        let alphabet = Array("0123456789000.,-% eExX/nNaA".utf8)
        let digits = Array("0123456789".utf8)
        for round in 0..<60_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                let length = Int.random(in: 0...17, using: &generator)
                bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            } else {
                // Number-shaped: digits, a separator, digits, now and then one byte changed.
                let integer = (0..<Int.random(in: 0...9, using: &generator)).map { _ in digits.randomElement(using: &generator)! }
                let fraction = (0..<Int.random(in: 0...9, using: &generator)).map { _ in digits.randomElement(using: &generator)! }
                bytes = integer + [Array(".,".utf8).randomElement(using: &generator)!] + fraction
                if Int.random(in: 0..<4, using: &generator) == 0 {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = alphabet.randomElement(using: &generator)!
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let fast = Self.parse(text, separator: separator)
            let general = Self.parse(text, separator: separator, general: true)
            #expect(fast == general, "\(text.debugDescription)")
            if fast != general { return }
        }
    }
}
