import Foundation
import Testing

@testable import PassbackCore

/// Canvas and Aspire timestamps: every form the readers meet, from text and from bytes (the JSON
/// fast path reads them without making a string first); both must agree.
@Suite struct ISOTimestampTests {
    static let valid: [(String, Double)] = [
        ("2025-09-12T05:59:59Z", 1_757_656_799),
        ("2025-09-12T05:59:59z", 1_757_656_799),
        ("2025-09-12T05:59:59.250Z", 1_757_656_799.25),
        ("2025-09-12 05:59:59Z", 1_757_656_799),
        ("2025-09-01T00:00:00-06:00", 1_756_706_400),
        ("2025-09-01T00:00:00+01:30", 1_756_679_400),
        ("2025-09-01T00:00:00+0130", 1_756_679_400),
        ("2025-09-12", 1_757_635_200),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        (" 2025-09-12T05:59:59Z ", 1_757_656_799),
        ("\t2025-09-12 ", 1_757_635_200),
    ]

    @Test(arguments: valid)
    func reads(_ text: String, _ seconds: Double) throws {
        let fromText = try #require(ISOTimestamp.parse(text), "\(text)")
        #expect(fromText.timeIntervalSince1970 == seconds)
        let fromBytes = Array(text.utf8).withUnsafeBufferPointer { ISOTimestamp.parse(utf8: $0) }
        #expect(fromBytes == fromText)
    }

    @Test(arguments: [
        "", " ", "soon", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-09-12T24:00:00Z", "2025-09-12T05:60:00Z",
        "2025-09-12T05:59:59", "2025-09-12T05:59:59+6", "2025-09-12T05:59:59+25:00", "2025-09-12T05:59:59Zx", "2025-9-12",
        "2025-02-30", "2025-09-12T05:59:59.Z", "２０２５-09-12",
    ])
    func refuses(_ text: String) {
        #expect(ISOTimestamp.parse(text) == nil, "\(text)")
        #expect(Array(text.utf8).withUnsafeBufferPointer { ISOTimestamp.parse(utf8: $0) } == nil, "\(text)")
    }
}
