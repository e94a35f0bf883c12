import Foundation
import Testing

@testable import PassbackCore

@Suite struct CanvasBundleReaderTests {
    func fixture(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/bundles/\(name)").path
    }

    @Test func readsTheAPIResponsesOfACourse() throws {
        let bundle = try CanvasBundleReader().read(fileAt: fixture("algebra.canvas.json"))
        #expect(bundle.course == CanvasCourse(id: "4242", name: "Algebra I", sisCourseID: "CRS-ALG1", workflowState: "available", sisTermID: "GTM00000000Q1"))
        #expect(bundle.sections.map(\.sisSectionID) == ["MST0000007Xy12", "MST0000008Zz34", nil])
        #expect(bundle.assignmentGroups.map(\.sisSourceID) == ["GCT0000001AbCd", "GCT0000002EfGh", nil, "GCT-LABS-2024", "GCT0000005Pr01"])
        let test = try #require(bundle.assignmentGroups[1].assignments.first)
        #expect(test.id == "1008")
        #expect(test.pointsPossible == ExactDecimal(100))
        #expect(test.overrides == [CanvasAssignmentOverride(id: "9002", target: .section("72"), dueAt: .date(Make.date("2025-09-13T05:59:59Z")))])
        let quiz = bundle.assignmentGroups[0].assignments.first { $0.id == "1004" }
        #expect(quiz?.published == false)
        #expect(
            bundle.submissions.first
                == CanvasSubmission(assignmentID: "1001", userID: "13", gradedAt: Make.date("2025-09-12T16:00:00Z"), score: ExactDecimal(9), workflowState: "graded"))
        #expect(bundle.submissions.first?.posting == .unknown, "no posted_at member: nothing held")
        #expect(bundle.enrollments == nil)
    }

    @Test func stringIDsNullsAndOverrideDueDates() throws {
        let bundle = try CanvasBundleReader().read(fileAt: fixture("string-ids.canvas.json"))
        #expect(bundle.course.isPublished)
        #expect(bundle.sections[0].sisSectionID == nil)
        #expect(bundle.assignmentGroups[0].sisSourceID == nil)
        let a = bundle.assignmentGroups[0].assignments[0]
        #expect(a.postToSIS == false)
        #expect(a.pointsPossible == nil)
        #expect(a.overrides.map(\.dueAt) == [.inherited, .none, .date(Make.date("2025-09-20T05:59:59Z"))])
        #expect(a.overrides.map(\.target) == [.section("71"), .students(["13"]), .group("9")])
    }

    @Test(arguments: [
        ("", "empty"),
        ("[1,2]", "must be one object"),
        ("{\"course\":", "not valid JSON"),
        ("{\"sections\":[],\"assignment_groups\":[]}", "has no course"),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":\"yes\"}]}]}",
            "assignment_groups[0].assignments[0].published"
        ),
        ("{\"course\":{\"id\":\"abc\",\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}", "member course.id: expected a Canvas id"),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"due_at\":\"tomorrow\"}]}]}",
            "'tomorrow' is not an ISO 8601 timestamp"
        ),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":-5}]}]}",
            "non-negative"
        ),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"enrollments\":[{\"user_id\":1,\"course_section_id\":2,\"enrollment_state\":\"active\"}]}",
            "member enrollments[0] has no type"
        ),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"submissions\":[{\"assignment_id\":1,\"user_id\":2,\"score\":\"9\"}]}",
            "member submissions[0].score: expected a number"
        ),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"submissions\":[{\"assignment_id\":1,\"user_id\":2,\"posted_at\":\"soon\"}]}",
            "'soon' is not an ISO 8601 timestamp"
        ),
    ])
    func malformedBundlesNameTheMember(json: String, expected: String) throws {
        let message = try refusal(of: json)
        #expect(message.contains(expected), "\(message)")
    }

    /// The `malformed-file` message the reader gives for `json`.
    func refusal(of json: String) throws -> String {
        let error = try #require(throws: InputFileError.self) { try CanvasBundleReader().read(data: Data(json.utf8)) }
        #expect(error.code == .malformedFile)
        return error.message
    }

    @Test func absurdSizesAreRefusedBeforeParsing() throws {
        #expect(throws: InputFileError.self) { try CanvasBundleReader(maximumFileSize: 10).read(data: Data(repeating: 0x20, count: 11)) }
        // A sparse file one byte over the 64 MiB default takes no disk space and is never read.
        let folder = TestScratch.root.appendingPathComponent("bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("huge.canvas.json").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(64 << 20) + 1)
        try handle.close()
        let error = try #require(throws: InputFileError.self) { try CanvasBundleReader().read(fileAt: path) }
        #expect(error.code == .malformedFile)
        #expect(error.message.contains("67108865 bytes, more than the 67108864 allowed"), "\(error.message)")
    }

    @Test func readsAMinimalBundleAndOneWithAByteOrderMark() throws {
        let bundle = try CanvasBundleReader().read(fileAt: fixture("minimal.canvas.json"))
        #expect(bundle.sections.map(\.sisSectionID) == ["MST0000007Xy12"])
        #expect(bundle.assignmentGroups.flatMap(\.assignments).map(\.pointsPossible) == [ExactDecimal(10)])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("minimal.canvas.json")))
        #expect(try CanvasBundleReader().read(data: Data([0xEF, 0xBB, 0xBF]) + bytes) == bundle)
    }

    struct BrokenBundle: Sendable, CustomTestStringConvertible {
        var name: String
        var line: Int?
        var fragment: String
        var testDescription: String { name }
    }

    /// Each file says which member is wrong and what was expected, in words (not Swift's type
    /// names), and where the JSON itself is broken, the line.
    static let brokenBundles: [BrokenBundle] = [
        BrokenBundle(name: "malformed-truncated.canvas.json", line: 10, fragment: "The file is not valid JSON: it ends in the middle of a value on line 10 (was it cut short?)"),
        BrokenBundle(name: "malformed-trailing-garbage.canvas.json", line: 17, fragment: "The file is not valid JSON: unexpected text on line 17, column 1"),
        BrokenBundle(
            name: "malformed-array.canvas.json", line: nil,
            fragment: "must be one object ({...}) with course, sections and assignment_groups, but this file starts with a list ([...])"),
        BrokenBundle(
            name: "malformed-points-as-text.canvas.json", line: nil, fragment: "member assignment_groups[0].assignments[0].points_possible: expected a number, found text in quotes"
        ),
        BrokenBundle(
            name: "malformed-published-as-text.canvas.json", line: nil,
            fragment: "member assignment_groups[0].assignments[0].published: expected true or false, found text in quotes"),
        BrokenBundle(name: "malformed-missing-sections.canvas.json", line: nil, fragment: "the top-level object has no sections"),
    ]

    @Test(arguments: brokenBundles)
    func brokenBundleFilesNameTheMemberAndTheLine(_ file: BrokenBundle) throws {
        let error = try #require(throws: InputFileError.self) { try CanvasBundleReader().read(fileAt: fixture(file.name)) }
        #expect(error.code == .malformedFile)
        #expect(error.line == file.line, "\(error)")
        #expect(error.message.contains(file.fragment), "\(error.message)")
        #expect(!error.message.contains("Expected to decode"), "\(error.message)")
        #expect(!error.message.contains("Dictionary<") && !error.message.contains("Array<"), "\(error.message)")
    }

    static let course = #"{"id":1,"workflow_state":"available"}"#

    @Test(arguments: [
        ("null", "but this file starts with null"),
        ("42", "but this file starts with a number"),
        ("\"text\"", "but this file starts with text in quotes"),
        ("\u{0}{}", "but this file starts with something else"),
        ("{\"course\":null,\"sections\":[],\"assignment_groups\":[]}", "member course: expected an object ({...}), found null"),
        ("{\"course\":\(course),\"sections\":{},\"assignment_groups\":[]}", "member sections: expected a list ([...]), found an object"),
        ("{\"course\":{\"id\":1,\"workflow_state\":7},\"sections\":[],\"assignment_groups\":[]}", "member course.workflow_state: expected text in quotes, found a number"),
        (
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\",\"term\":\"Q1\"},\"sections\":[],\"assignment_groups\":[]}",
            "member course.term: expected an object ({...}), found text in quotes"
        ),
        ("{\"course\":{\"id\":-1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}", "member course.id: expected a Canvas id (a whole number)"),
        (
            "{\"course\":{\"id\":99999999999999999999999,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}",
            "member course.id: expected a Canvas id (a whole number)"
        ),
        ("{\"course\":\(course),\"sections\":[{\"id\":1,\"name\":5}],\"assignment_groups\":[]}", "member sections[0].name: expected text in quotes, found a number"),
        (
            "{\"course\":\(course),\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":1e400}]}]}",
            "The file is not valid JSON: the number 1e400 is out of range"
        ),
        ("{\"a\":" + String(repeating: "[", count: 600), "The file is not valid JSON: lists or objects are nested too deep on line 1"),
        ("{\"course\":\n\n  tru}", "The file is not valid JSON"),
        ("{\"course\": {\"id\": 1,\n \"workflow_state\": 'available'}}", "unexpected text on line 2, column 20"),
    ])
    func wrongTypesAndSyntaxAreSaidInWords(json: String, expected: String) throws {
        let message = try refusal(of: json)
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("Expected to decode"), "\(message)")
    }
}

@Suite struct SettingsTests {
    @Test func defaults() throws {
        let settings = try Settings.parse("")
        #expect(settings == Settings())
        #expect(settings.nameLengthLimit == 50 && settings.incrementalWindowDays == 30 && settings.timeZone == "America/Denver")
        #expect(settings.settleSeconds == 60 && settings.incompleteBundleWaitHours == 24)
    }

    @Test func readsEverySetting() throws {
        let s = try Settings.parse("name_length_limit = 30\nincremental_window_days = 7\ntime_zone = \"America/Chicago\"\nsettle_seconds = 0\nincomplete_bundle_wait_hours = 2\n")
        #expect(s.nameLengthLimit == 30 && s.incrementalWindowDays == 7 && s.timeZone == "America/Chicago" && s.settleSeconds == 0 && s.incompleteBundleWaitHours == 2)
    }

    @Test(arguments: ["name_lenght_limit = 30", "name_length_limit = 0", "name_length_limit = \"50\"", "time_zone = \"Mars/Olympus\"", "settle_seconds = -1", "this is not toml"])
    func refusesBadSettings(text: String) {
        #expect(throws: SettingsError.self) { try Settings.parse(text) }
    }
}

@Suite struct WorkspaceNamingTests {
    @Test(arguments: [
        ("MST0000007Xy12", "MST0000007Xy12"), ("../../etc/passwd", "%2E.%2F..%2Fetc%2Fpasswd"), ("a/b", "a%2Fb"),
        ("a\u{0}b", "a%00b"), (".hidden", "%2Ehidden"), ("", "%00"), ("Período 1", "Per%C3%ADodo%201"),
        (".", "%2E"), ("..", "%2E."), ("/", "%2F"), ("\u{0}", "%00"), ("a\\b", "a%5Cb"), ("C:\\x", "C%3A%5Cx"),
        ("%2F", "%252F"), ("a b\tc\n", "a%20b%09c%0A"), ("~root", "%7Eroot"),
    ])
    func identifiersNeverEscapeTheFolder(id: String, expected: String) {
        #expect(Workspace.fileComponent(id) == expected)
    }

    @Test func longNamesAreCutAndKeptDistinct() {
        let a = Workspace.fileComponent(String(repeating: "x", count: 300) + "a")
        let b = Workspace.fileComponent(String(repeating: "x", count: 300) + "b")
        #expect(a.utf8.count <= 96 && b.utf8.count <= 96)
        #expect(a != b)
        // Multi-byte text is cut as its encoded form, which is ASCII.
        let accented = Workspace.fileComponent(String(repeating: "é", count: 200))
        #expect(accented.utf8.count <= 96)
        #expect(accented.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "/") })
        #expect(Workspace.fileComponent(String(repeating: "é", count: 200) + "x") != accented)
    }
}

@Suite struct SectionHistoryCodingTests {
    @Test func roundTrips() throws {
        var history = SectionHistory()
        history.results["canvas-1:604863"] = ResultState(
            sent: .score(Make.decimal("9.5")), sentAt: Make.date("2025-10-01T09:00:00Z"), seen: .score(Make.decimal("9.5")), seenSince: Make.date("2025-09-30T09:00:00Z"))
        history.results["canvas-1:60\t48\\74"] = ResultState(sent: nil, sentAt: Make.date("2025-10-01T09:00:00Z"), seen: nil, seenSince: nil)
        history.results["canvas-2:604863"] = ResultState(sent: .exempt, sentAt: nil, seen: .exempt, seenSince: Make.date("2025-09-30T09:00:00Z"))
        history.lineItems["canvas-1"] = LineItemFingerprint(
            title: "Tab\there\nnewline", categorySourcedID: "GCT1", assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"), resultValueMax: Make.decimal("10.5"))
        let encoded = SectionHistoryCoding.encode(history)
        #expect(try SectionHistoryCoding.decode(encoded) == history)
    }

    @Test func keepsEveryFieldApartAndRefusesDamage() throws {
        var history = SectionHistory()
        history.results["canvas-7:1"] = ResultState(
            sent: .score(Make.decimal("-0.125")), sentAt: Make.date("1969-12-31T23:59:59Z"), seen: .score(Make.decimal("12345678901.5")),
            seenSince: Make.date("2031-01-01T00:00:00Z"))
        history.results["canvas-7:2"] = ResultState(sent: nil, sentAt: nil, seen: .exempt, seenSince: Make.date("2025-09-30T09:00:00Z"))
        history.results["canvas-8:1"] = ResultState(sent: .exempt, sentAt: Make.date("2025-09-30T09:00:00Z"), seen: .exempt, seenSince: Make.date("2025-09-30T09:00:00Z"))
        history.results["no-colon"] = ResultState(sent: .score(ExactDecimal(3)))
        history.results["canvas-9:Zoë:x"] = ResultState()
        let encoded = SectionHistoryCoding.encode(history)
        let decoded = try SectionHistoryCoding.decode(encoded)
        #expect(decoded == history)
        #expect(decoded.results.count == 5)
        #expect(Set(decoded.resultsByLineItem["canvas-7"]?.students ?? []) == ["1", "2"])
        #expect(throws: LedgerError.self) { try SectionHistoryCoding.decode(encoded.dropLast()) }
        #expect(throws: LedgerError.self) { try SectionHistoryCoding.decode(encoded + [0]) }
        #expect(throws: LedgerError.self) { try SectionHistoryCoding.decode(Data([9])) }
    }

    /// Ledgers written by earlier releases hold version 1, which is read as it always was (the
    /// bytes below are that version's layout, assembled by hand); a history that holds nothing
    /// is still written so, byte for byte.
    @Test func readsVersionOneAsWrittenBeforeHolds() throws {
        let t = Make.date("2025-10-01T09:00:00Z")
        var bytes = SectionHistoryCoding.Writer()
        bytes.byte(1)  // version
        bytes.signed(SectionHistoryCoding.seconds(t))  // base time
        bytes.unsigned(1)
        bytes.string("604863")  // students
        bytes.unsigned(0)  // line items
        bytes.unsigned(1)
        bytes.string("canvas-1")
        bytes.unsigned(1)  // one result
        bytes.unsigned(0)  // student 0
        bytes.byte(1 | 2 | 4 | 8 | 16 | 32)  // sent, sentAt, seen = sent, seenSince = sentAt
        bytes.byte(1)
        bytes.signed(9)  // the grade 9
        bytes.signed(0)  // sentAt = base
        bytes.unsigned(0)  // loose results
        let decoded = try SectionHistoryCoding.decode(Data(bytes.bytes))
        let state = ResultState(sent: .score(ExactDecimal(9)), sentAt: t, seen: .score(ExactDecimal(9)), seenSince: t)
        #expect(decoded.results == ["canvas-1:604863": state])
        #expect(decoded.heldLineItems.isEmpty)
        #expect(SectionHistoryCoding.encode(decoded) == Data(bytes.bytes))
    }

    @Test func versionTwoKeepsHeldLineItemsAndHeldResults() throws {
        var history = SectionHistory()
        history.results["canvas-1:604863"] = ResultState(
            sent: .score(ExactDecimal(8)), sentAt: Make.date("2025-10-01T09:00:00Z"), seen: .score(ExactDecimal(9)), seenSince: Make.date("2025-10-02T09:00:00Z"), held: true)
        history.results["canvas-2:604863"] = ResultState(sent: .exempt)
        history.lineItems["canvas-3"] = LineItemFingerprint(
            title: "T", categorySourcedID: "C", assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"), resultValueMax: ExactDecimal(10))
        history.heldLineItems = ["canvas-3"]
        let encoded = SectionHistoryCoding.encode(history)
        #expect(encoded.first == 2)
        let decoded = try SectionHistoryCoding.decode(encoded)
        #expect(decoded == history)
        #expect(decoded.results["canvas-1:604863"]?.held == true)
        #expect(decoded.results["canvas-2:604863"]?.held == false)
        #expect(SectionHistoryCoding.encode(decoded) == encoded)
        history.heldLineItems = []
        history.results["canvas-1:604863"]?.held = false
        #expect(SectionHistoryCoding.encode(history).first == 1, "nothing held: the version-1 layout")
    }
}

/// The fast JSON path must read exactly what Foundation's decoder reads, and leave to the
/// decoder everything it is not sure of.
@Suite struct CanvasBundleFastReaderTests {
    func fixtureData(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/bundles/\(name)"))
    }

    @Test(arguments: ["algebra.canvas.json", "string-ids.canvas.json"])
    func readsTheFixturesAsTheDecoderDoes(_ name: String) throws {
        let data = try fixtureData(name)
        let fast = try #require(CanvasBundleFastReader.read(data), "the fast path gave up on \(name)")
        #expect(fast == (try CanvasBundleReader().decodeWithFoundation(data)))
    }

    @Test func agreesWithTheDecoderOnVariants() throws {
        let base =
            "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[{\"id\":\"7\",\"name\":\"P 1\",\"sis_section_id\":\" S1 \"}],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"sis_source_id\":\"\",\"assignments\":[ASSIGNMENT]}]EXTRA}"
        let assignments = [
            "{\"id\":2,\"name\":\"A\",\"published\":true}",
            "{\"id\":2,\"name\":\"A \\\"q\\\" \\u00e9\\ud83d\\ude00\\n\",\"published\":false,\"post_to_sis\":null,\"points_possible\":0.1,\"due_at\":null}",
            "{\"id\":3,\"name\":\"Zoë\",\"published\":true,\"post_to_sis\":true,\"points_possible\":12.50,\"due_at\":\"2025-09-12T05:59:59Z\",\"unlock_at\":\"2025-09-01T00:00:00-06:00\",\"grading_type\":\"pass_fail\",\"only_visible_to_overrides\":true,\"overrides\":[{\"id\":9,\"student_ids\":[1,\"2\"],\"due_at\":null},{\"course_section_id\":7},{\"group_id\":\"4\",\"due_at\":\"2025-09-20T05:59:59Z\"}]}",
            "{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":99.990}",
            "{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":0}",
            "{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":1e2,\"x\":[1,-2.5e-3,{\"y\":[true,false,null,\"\\\\\"]}],\"z\":{}}",
        ]
        let extras = [
            "", ",\"submissions\":null",
            ",\"submissions\":[{\"assignment_id\":2,\"user_id\":\"13\",\"graded_at\":\"2025-09-12T16:00:00Z\"},{\"assignment_id\":2,\"user_id\":14,\"graded_at\":null}]",
            ",\"unknown\":{\"a\":[[[]]]}",
        ]
        for assignment in assignments {
            for extra in extras {
                let json = base.replacingOccurrences(of: "ASSIGNMENT", with: assignment).replacingOccurrences(of: "EXTRA", with: extra)
                let data = Data(json.utf8)
                let fast = try #require(CanvasBundleFastReader.read(data), "the fast path gave up on \(json)")
                #expect(fast == (try CanvasBundleReader().decodeWithFoundation(data)), "\(json)")
            }
        }
    }

    /// Inputs the fast path must not accept on its own: each is refused by the decoder or needs
    /// its judgement (repeated members, escaped keys, numbers that are not plain integers).
    @Test(arguments: [
        "", " ", "[]", "{", "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]} x",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"sections\":[]}",
        "{\"course\":{\"id\":1.0,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}",
        "{\"course\":{\"id\":01,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}",
        "{\"cours\\u0065\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"x\":\"\\ud800\"}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"x\":\"a\tb\"}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"x\":[1,]}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":1}]}]}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":-1}]}]}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"overrides\":[{\"id\":3}]}]}]}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"due_at\":\"soon\"}]}]}",
        "{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H\",\"assignments\":[{\"id\":2,\"name\":\"A\",\"published\":true,\"points_possible\":0.3333333333333333}]}]}",
        "\u{FEFF}{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}",
    ])
    func leavesDoubtfulInputToTheDecoder(_ json: String) {
        #expect(CanvasBundleFastReader.read(Data(json.utf8)) == nil, "\(json)")
    }

    /// The fast path's member names are the decoder's coding keys: each is recognised as itself
    /// and nothing else is (another case, one byte changed, a prefix).
    @Test func knowsEachMemberByItsCodingKey() {
        func check<Key: CodingKey & CaseIterable & Equatable>(_ names: JSONMemberNames<Key>, _ type: Key.Type) {
            func key(_ text: String) -> Key? { Array(text.utf8).withUnsafeBufferPointer { names.key($0) } }
            for expected in Key.allCases {
                let name = expected.stringValue
                #expect(key(name) == expected, "\(name)")
                #expect(key(name.uppercased()) == nil)
                #expect(key(String(name.dropLast()) + "x") == nil)
                #expect(key(String(name.dropLast())) == nil)
                #expect(key(name + "s") == nil)
            }
            for other in ["", "i", "ID", "html_url", "lock_at", "position", "unlock_att"] {
                #expect(key(other) == nil, "\(other)")
            }
        }
        check(BundleJSON.names, BundleJSON.Keys.self)
        check(CourseJSON.names, CourseJSON.Keys.self)
        check(CourseJSON.Term.names, CourseJSON.Term.Keys.self)
        check(SectionJSON.names, SectionJSON.Keys.self)
        check(GroupJSON.names, GroupJSON.Keys.self)
        check(AssignmentJSON.names, AssignmentJSON.Keys.self)
        check(OverrideJSON.names, OverrideJSON.Keys.self)
        check(SubmissionJSON.names, SubmissionJSON.Keys.self)
        check(EnrollmentJSON.names, EnrollmentJSON.Keys.self)
        #expect(SubmissionJSON.Keys.allCases.map(\.stringValue) == ["assignment_id", "user_id", "graded_at", "score", "excused", "posted_at", "workflow_state"])
    }

    /// Ids are kept as the decoder spells them; one that may not fit an Int64 is its to judge.
    @Test func readsLargeIdsAsTheDecoder() throws {
        for id in ["0", "7", "123456789012345678", "\"000123\""] {
            let json = "{\"course\":{\"id\":\(id),\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}"
            let fast = try #require(CanvasBundleFastReader.read(Data(json.utf8)), "\(id)")
            #expect(fast == (try CanvasBundleReader().decodeWithFoundation(Data(json.utf8))))
        }
        let long = "{\"course\":{\"id\":1234567890123456789,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}"
        #expect(CanvasBundleFastReader.read(Data(long.utf8)) == nil)
        #expect(try CanvasBundleReader().read(data: Data(long.utf8)).course.id == "1234567890123456789")
    }

    /// A kept string (an assignment's name) that is not UTF-8 is the decoder's to refuse.
    @Test func leavesAKeptStringThatIsNotUTF8ToTheDecoder() {
        var bytes = Array("{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[{\"id\":1,\"name\":\"H".utf8)
        bytes += [0xE2, 0x82]
        bytes += Array("\",\"assignments\":[]}]}".utf8)
        #expect(CanvasBundleFastReader.read(Data(bytes)) == nil)
        #expect((try? CanvasBundleReader().read(data: Data(bytes))) == nil)
        #expect([UInt8]([0xC3, 0xA9]).withUnsafeBufferPointer { UTF8Text.decode($0) } == "é")
        #expect([UInt8]([0xC3, 0x28]).withUnsafeBufferPointer { UTF8Text.decode($0) } == nil)
    }

    @Test func leavesInvalidUTF8ToTheDecoder() {
        var bytes = Array("{\"course\":{\"id\":1,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[],\"x\":\"".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"}".utf8)
        #expect(CanvasBundleFastReader.read(Data(bytes)) == nil)
        // The decoder only checks the strings it reads: both paths end where the decoder does.
        #expect((try? CanvasBundleReader().read(data: Data(bytes))) == (try? CanvasBundleReader().decodeWithFoundation(Data(bytes))))
    }
}

@Suite struct SectionHistoryStableEncodingTests {
    /// An unchanged history must encode to the same bytes whatever order its dictionaries
    /// iterate in, so the ledger can skip rewriting it.
    @Test func encodingIsAFunctionOfTheContent() throws {
        var history = SectionHistory()
        for item in 0..<40 {
            for student in 0..<30 {
                let t = Make.date("2025-10-0\(1 + (item + student) % 3)T09:00:00Z")
                history.results["canvas-\(item):\(600_000 + student)"] = ResultState(
                    sent: .score(ExactDecimal(Int64(student))), sentAt: t, seen: .score(ExactDecimal(Int64(student))), seenSince: t)
            }
        }
        let once = SectionHistoryCoding.encode(history)
        let again = SectionHistoryCoding.encode(try SectionHistoryCoding.decode(once))
        #expect(once == again)
    }
}
