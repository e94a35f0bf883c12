import Testing

@testable import PassbackCore

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        ("9", "9"), ("9.50", "9.5"), ("0009.500", "9.5"), (".5", "0.5"), ("0", "0"), ("0.00", "0"),
        ("-2.25", "-2.25"), ("100", "100"), ("123456789012345", "123456789012345"), ("0.001", "0.001"),
    ])
    func parsesTheStrictGrammar(text: String, expected: String) throws {
        let value = try #require(ExactDecimal.parse(text))
        #expect(value.description == expected)
    }

    @Test(arguments: [
        "", "-", ".", "5.", "NaN", "nan", "inf", "Infinity", "0x1p3", "1e5", "1E5", "+1", "1,234.5",
        "1 000", "٣", "１", "9,5", "1.2.3", "--1", "1-", "1234567890123456",
        "-inf", "+inf", "0x10", "1e-2", "1_000", "1'000", "\u{2212}1", "\u{1D7D7}", "½", "9%", " 9", "9 ", "0.0000000000000001",
    ])
    func refusesEverythingElse(text: String) {
        #expect(ExactDecimal.parse(text) == nil)
    }

    /// A submission's `score` is a float Canvas computed; the gradebook shows it rounded half up
    /// to two decimals, and so is it read.
    @Test(arguments: [
        (7.333333333333333, "7.33"), (80.0, "80"), (0.005, "0.01"), (9.995, "10"), (1200.5, "1200.5"), (1e-05, "0"), (3.7, "3.7"),
        (-2.5, "-2.5"), (-0.004, "0"), (123456789012.345, "123456789012.35"),
    ])
    func roundsCanvasScoresToTwoDecimals(value: Double, expected: String) {
        #expect(ExactDecimal(jsonNumber: value, roundedTo: 2)?.description == expected)
    }

    @Test func refusesScoresTooLargeOrNotFinite() {
        #expect(ExactDecimal(jsonNumber: 1e20, roundedTo: 2) == nil)
        #expect(ExactDecimal(jsonNumber: 1e14, roundedTo: 2) == nil, "16 digits with two decimals")
        #expect(ExactDecimal(jsonNumber: .infinity, roundedTo: 2) == nil)
        #expect(ExactDecimal(jsonNumber: .nan, roundedTo: 2) == nil)
    }

    @Test func equalityIgnoresTrailingZeros() {
        #expect(ExactDecimal.parse("9.00") == ExactDecimal(9))
        #expect(ExactDecimal.parse("9.10")! < ExactDecimal.parse("9.2")!)
        #expect(ExactDecimal(10) > ExactDecimal.parse("9.99")!)
    }

    @Test func percentOfPointsIsExact() throws {
        let percent = try #require(ExactDecimal.parse("33.33"))
        let share = try #require(percent.dividedByHundred()?.multiplied(by: ExactDecimal(7)))
        #expect(share.description == "2.3331")
        #expect(ExactDecimal.parse("85")!.dividedByHundred()!.multiplied(by: ExactDecimal(10))!.description == "8.5")
    }

    @Test(arguments: [(10.0, "10"), (0.1, "0.1"), (12.5, "12.5"), (1e-05, "0.00001"), (1e20, nil), (Double.nan, nil)])
    func convertsJSONNumbers(value: Double, expected: String?) {
        #expect(ExactDecimal(jsonNumber: value)?.description == expected)
    }
}
