import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads `<stem>.canvas.json`: one JSON object whose members are Canvas REST API responses
/// (`course`, `sections`, `assignment_groups`, optional `submissions` and `enrollments`), as
/// Canvas returns them.
///
/// A byte-level reader made for the bundle's shape (``CanvasBundleFastReader``) reads valid
/// bundles; whatever it is not sure of goes to Foundation's `JSONDecoder` with the `Decodable`
/// conformances below, which are strict about what the rules need, ignore everything else, and
/// say what is wrong: a failure names the member and what was expected. The member names both
/// read are the `Decodable` types' coding keys (the fast path matches keys with
/// ``JSONMemberNames`` tables made from them), so the two cannot disagree on a name.
package struct CanvasBundleReader: Sendable {
    /// Larger files are refused before parsing (a course bundle is a few hundred KiB).
    var maximumFileSize: Int

    package init(maximumFileSize: Int = 64 << 20) {
        self.maximumFileSize = maximumFileSize
    }

    func read(fileAt path: String) throws -> CanvasBundle {
        try read(data: try contents(ofFileAt: path))
    }

    /// The file's bytes, its size checked before anything is read: one `open`, `fstat` and
    /// `read` (Foundation's attribute dictionary and `Data(contentsOf:)` cost more than parsing
    /// a typical bundle).
    func contents(ofFileAt path: String) throws -> Data {
        func unreadable(_ code: Int32) -> InputFileError {
            InputFileError(.malformedFile, "The bundle JSON cannot be read (\(String(cString: strerror(code)))).")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(errno) }
        let size = Int(info.st_size)
        guard size <= maximumFileSize else {
            throw InputFileError(.malformedFile, "The bundle JSON is \(size) bytes, more than the \(maximumFileSize) allowed; export the course's API responses again.")
        }
        // Read to the end (the file may have grown since fstat; the limit still holds).
        var data = Data(count: size + 1)
        var filled = 0
        while true {
            if filled == data.count {
                guard data.count <= maximumFileSize else { break }
                data.count = min(data.count * 2, maximumFileSize + 1)
            }
            let count = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(errno)
            }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return data
    }

    package func read(data: Data) throws -> CanvasBundle {
        guard data.count <= maximumFileSize else {
            throw InputFileError(.malformedFile, "The bundle JSON is \(data.count) bytes, more than the \(maximumFileSize) allowed.")
        }
        guard !data.isEmpty else {
            throw InputFileError(.malformedFile, "The bundle JSON is empty; it must be one object with course, sections and assignment_groups.")
        }
        if let bundle = CanvasBundleFastReader.read(data) { return bundle }
        return try decodeWithFoundation(data)
    }

    /// For the fuzzer: where the fast path read a bundle, the reference path must read the same.
    /// - Returns: a description of the disagreement, or `nil`.
    package static func fastPathDisagreement(_ data: Data) -> String? {
        guard let fast = CanvasBundleFastReader.read(data) else { return nil }
        do {
            let reference = try CanvasBundleReader().decodeWithFoundation(data)
            return reference == fast ? nil : "the fast path read \(fast), the decoder \(reference)"
        } catch {
            return "the fast path read a bundle the decoder refuses: \(error)"
        }
    }

    /// The reference path: Foundation's `JSONDecoder` and the `Decodable` types below. Every
    /// file the fast path (``CanvasBundleFastReader``) is not sure of comes here, so this is what
    /// says why a bundle is refused.
    func decodeWithFoundation(_ data: Data) throws -> CanvasBundle {
        if let start = Self.firstValueByte(of: data), start != UInt8(ascii: "{") {
            throw InputFileError(
                .malformedFile,
                "The bundle JSON must be one object ({...}) with course, sections and assignment_groups, but this file starts with \(Self.kindOfValue(startingWith: start)). Put the Canvas API responses into one object as members course, sections and assignment_groups."
            )
        }
        do {
            return try JSONDecoder().decode(BundleJSON.self, from: data).bundle
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                let syntax = Self.syntaxError(in: data)
                throw InputFileError(
                    .malformedFile, "The file is not valid JSON: \(syntax.text). It must be one JSON object holding the Canvas API responses unmodified; export them again.",
                    line: syntax.line)
            }
            throw InputFileError(.malformedFile, Self.describe(error))
        } catch let error as InputFileError {
            throw error
        } catch {
            throw InputFileError(.malformedFile, "The bundle JSON cannot be read: \(error.localizedDescription)")
        }
    }

    /// The first byte that is not white space or a UTF-8 byte-order mark.
    static func firstValueByte(of data: Data) -> UInt8? {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    /// What a JSON value starting with `byte` is, in words.
    static func kindOfValue(startingWith byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "a list ([...])"
        case UInt8(ascii: "\""): return "text in quotes"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "true or false"
        case UInt8(ascii: "n"): return "null"
        default: return "something else (is it JSON at all?)"
        }
    }

    /// What is wrong with JSON that does not parse, and on which line. `JSONDecoder` says only
    /// "not valid JSON"; `JSONSerialization`, run again on the failure path only, says what and
    /// at which byte ("around character 812").
    static func syntaxError(in data: Data) -> (text: String, line: Int?) {
        let description: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return ("it cannot be parsed", nil)
        } catch {
            description = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        }
        // Where: the byte offset after "around character", as line and column.
        var position: (line: Int, column: Int)?
        if let range = description.range(of: "around character "),
            let offset = Int(description[range.upperBound...].prefix { $0.isNumber }), offset <= data.count
        {
            var line = 1
            var column = 1
            for byte in data.prefix(offset) {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            position = (line, column)
        }
        if description.hasPrefix("Unexpected end of file") {
            let lastLine = data.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return ("it ends in the middle of a value on line \(lastLine) (was it cut short?)", lastLine)
        }
        if description.hasPrefix("Too many nested") {
            return ("lists or objects are nested too deep\(position.map { " on line \($0.line)" } ?? "")", position?.line)
        }
        if description.hasPrefix("Number "), description.hasSuffix(" is not representable in Swift.") {
            let number = description.dropFirst("Number ".count).dropLast(" is not representable in Swift.".count)
            return ("the number \(number.prefix(40)) is out of range", position?.line)
        }
        if let position {
            return ("unexpected text on line \(position.line), column \(position.column)", position.line)
        }
        var text = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix(".") { text.removeLast() }
        return (String(text.prefix(200)), nil)
    }

    /// `member assignment_groups[0].assignments[2].published: expected true or false, found text in quotes.`
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return text.isEmpty ? "the top level" : "member \(text)"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "the top-level object" : path(context.codingPath)
            return "\(parent) has no \(key.stringValue); the bundle must carry the Canvas API response unmodified."
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): \(expectation(type, context.debugDescription))."
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(words(for: type)), found null."
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "The bundle JSON cannot be read: \(error)"
        }
    }

    /// `expected a number, found text in quotes` from Foundation's "Expected to decode Double but
    /// found a string instead."; this reader's own descriptions ("expected a Canvas id") as they are.
    private static func expectation(_ type: Any.Type, _ debugDescription: String) -> String {
        guard debugDescription.hasPrefix("Expected to decode ") else {
            return debugDescription.lowercased().hasPrefix("expected") ? debugDescription : "expected " + debugDescription
        }
        var text = "expected \(words(for: type))"
        if let found = debugDescription.range(of: "but found ") {
            var what = String(debugDescription[found.upperBound...])
            if what.hasSuffix(" instead.") { what = String(what.dropLast(" instead.".count)) }
            let foundWords = ["a string": "text in quotes", "number": "a number", "bool": "true or false", "a dictionary": "an object", "an array": "a list", "null": "null"]
            text += ", found \(foundWords[what] ?? what)"
        }
        return text
    }

    /// A Swift type the decoder expected, as JSON words.
    private static func words(for type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text in quotes"
        case is Bool.Type: return "true or false"
        case is Double.Type, is Float.Type, is Int.Type, is Int64.Type, is UInt64.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.hasPrefix("UnkeyedDecodingContainer") { return "a list ([...])" }
            if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object ({...})" }
            return "a value of another kind"
        }
    }
}

// MARK: - Decoding

/// An id that Canvas writes as a number, or as a string with `application/json+canvas-string-ids`.
struct CanvasIDJSON: Decodable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self), number >= 0 {
            value = String(number)
        } else if let text = try? container.decode(String.self), !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            value = text
        } else {
            throw DecodingError.typeMismatch(Int64.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a Canvas id (a whole number)"))
        }
    }
}

/// A timestamp member: ISO 8601 text or null.
struct TimestampJSON: Decodable {
    let date: Date?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            date = nil
            return
        }
        guard let text = try? container.decode(String.self) else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an ISO 8601 timestamp or null"))
        }
        guard let parsed = ISOTimestamp.parse(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text.prefix(40))' is not an ISO 8601 timestamp such as 2025-09-12T05:59:59Z"))
        }
        date = parsed
    }
}

/// Blank strings are as good as null for SIS ids.
func nonBlank(_ text: String?) -> String? {
    guard let trimmed = text?.trimmedOfWhitespaces, !trimmed.isEmpty else { return nil }
    return trimmed
}

/// The top level: `course`, `sections`, `assignment_groups`, optional `submissions` and
/// `enrollments`.
struct BundleJSON: Decodable {
    let bundle: CanvasBundle

    enum Keys: String, CodingKey, CaseIterable {
        case course, sections
        case assignmentGroups = "assignment_groups"
        case submissions, enrollments
    }

    init(from decoder: any Decoder) throws {
        let object: KeyedDecodingContainer<Keys>
        do {
            object = try decoder.container(keyedBy: Keys.self)
        } catch {
            throw DecodingError.typeMismatch(
                [String: String].self, .init(codingPath: [], debugDescription: "expected one object ({...}) with course, sections and assignment_groups"))
        }
        let course = try object.decode(CourseJSON.self, forKey: .course)
        let sections = try object.decode([SectionJSON].self, forKey: .sections)
        let groups = try object.decode([GroupJSON].self, forKey: .assignmentGroups)
        let submissions = try object.decodeIfPresent([SubmissionJSON].self, forKey: .submissions) ?? []
        let enrollments = try object.decodeIfPresent([EnrollmentJSON].self, forKey: .enrollments)
        bundle = CanvasBundle(
            course: course.value,
            sections: sections.map(\.value),
            assignmentGroups: groups.map(\.value),
            submissions: submissions.map(\.value),
            enrollments: enrollments?.map(\.value)
        )
    }
}

/// `GET /api/v1/courses/:id?include[]=term`.
struct CourseJSON: Decodable {
    let value: CanvasCourse

    enum Keys: String, CodingKey, CaseIterable {
        case id, name
        case sisCourseID = "sis_course_id"
        case workflowState = "workflow_state"
        case term
    }

    struct Term: Decodable {
        let sisTermID: String?
        enum Keys: String, CodingKey, CaseIterable { case sisTermID = "sis_term_id" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            sisTermID = nonBlank(try c.decodeIfPresent(String.self, forKey: .sisTermID))
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        value = CanvasCourse(
            id: try c.decode(CanvasIDJSON.self, forKey: .id).value,
            name: try c.decodeIfPresent(String.self, forKey: .name),
            sisCourseID: nonBlank(try c.decodeIfPresent(String.self, forKey: .sisCourseID)),
            workflowState: try c.decode(String.self, forKey: .workflowState),
            sisTermID: try c.decodeIfPresent(Term.self, forKey: .term)?.sisTermID
        )
    }
}

/// `GET /api/v1/courses/:id/sections`.
struct SectionJSON: Decodable {
    let value: CanvasSection

    enum Keys: String, CodingKey, CaseIterable {
        case id, name
        case sisSectionID = "sis_section_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        value = CanvasSection(
            id: try c.decode(CanvasIDJSON.self, forKey: .id).value,
            name: try c.decode(String.self, forKey: .name),
            sisSectionID: nonBlank(try c.decodeIfPresent(String.self, forKey: .sisSectionID))
        )
    }
}

/// One assignment group with its assignments.
struct GroupJSON: Decodable {
    let value: CanvasAssignmentGroup

    enum Keys: String, CodingKey, CaseIterable {
        case id, name, assignments
        case sisSourceID = "sis_source_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        value = CanvasAssignmentGroup(
            id: try c.decode(CanvasIDJSON.self, forKey: .id).value,
            name: try c.decode(String.self, forKey: .name),
            sisSourceID: nonBlank(try c.decodeIfPresent(String.self, forKey: .sisSourceID)),
            assignments: try c.decodeIfPresent([AssignmentJSON].self, forKey: .assignments)?.map(\.value) ?? []
        )
    }
}

/// Points possible as an ``ExactDecimal`` the way `JSONDecoder` gives the number: a `Double`,
/// then its shortest spelling; refused when negative or longer than
/// ``ExactDecimal/maximumDigits`` digits.
func decodePointsPossible<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> ExactDecimal? {
    guard let number = try container.decodeIfPresent(Double.self, forKey: key) else { return nil }
    guard let exact = ExactDecimal(jsonNumber: number), !exact.isNegative else {
        throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "expected a non-negative number of points")
    }
    return exact
}

/// One assignment, with its overrides.
struct AssignmentJSON: Decodable {
    let value: CanvasAssignment

    enum Keys: String, CodingKey, CaseIterable {
        case id, name, published, overrides
        case postToSIS = "post_to_sis"
        case dueAt = "due_at"
        case unlockAt = "unlock_at"
        case pointsPossible = "points_possible"
        case gradingType = "grading_type"
        case onlyVisibleToOverrides = "only_visible_to_overrides"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        value = CanvasAssignment(
            id: try c.decode(CanvasIDJSON.self, forKey: .id).value,
            name: try c.decode(String.self, forKey: .name),
            published: try c.decode(Bool.self, forKey: .published),
            postToSIS: try c.decodeIfPresent(Bool.self, forKey: .postToSIS) ?? false,
            dueAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .dueAt)?.date,
            unlockAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .unlockAt)?.date,
            pointsPossible: try decodePointsPossible(c, .pointsPossible),
            gradingType: try c.decodeIfPresent(String.self, forKey: .gradingType),
            onlyVisibleToOverrides: try c.decodeIfPresent(Bool.self, forKey: .onlyVisibleToOverrides) ?? false,
            overrides: try c.decodeIfPresent([OverrideJSON].self, forKey: .overrides)?.map(\.value) ?? []
        )
    }
}

/// One override (`Api::V1::AssignmentOverride#assignment_override_json`): its kind is the one
/// target member it has (`student_ids`, `course_section_id`, `group_id`, `course_id`, `noop_id`,
/// in that order when a hand-made file has several); one with none is of a kind this reader does
/// not know, which is read (and reported by the rules), not refused.
struct OverrideJSON: Decodable {
    let value: CanvasAssignmentOverride

    enum Keys: String, CodingKey, CaseIterable {
        case id
        case studentIDs = "student_ids"
        case courseSectionID = "course_section_id"
        case groupID = "group_id"
        case courseID = "course_id"
        case noopID = "noop_id"
        case unassignItem = "unassign_item"
        case dueAt = "due_at"
        case unlockAt = "unlock_at"
    }

    /// Members Canvas writes on overrides of every kind, which say nothing of whom an override is
    /// for (left out when an unknown kind is named).
    static let commonMembers: Set<String> = [
        "title", "assignment_id", "quiz_id", "context_module_id", "context_module_name", "discussion_topic_id", "wiki_page_id",
        "attachment_id", "parent_override_id", "all_day", "all_day_date", "lock_at", "students", "non_collaborative",
        "group_category_id", "sub_assignment_due_dates", "peer_review_dates",
    ]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let target: CanvasAssignmentOverride.Target
        if let students = try c.decodeIfPresent([CanvasIDJSON].self, forKey: .studentIDs) {
            target = .students(students.map(\.value))
        } else if let section = try c.decodeIfPresent(CanvasIDJSON.self, forKey: .courseSectionID) {
            target = .section(section.value)
        } else if let group = try c.decodeIfPresent(CanvasIDJSON.self, forKey: .groupID) {
            target = .group(group.value)
        } else if let course = try c.decodeIfPresent(CanvasIDJSON.self, forKey: .courseID) {
            target = .course(course.value)
        } else if c.contains(.noopID) {
            target = .noop(try c.decodeIfPresent(CanvasIDJSON.self, forKey: .noopID)?.value)
        } else {
            target = .unknown(try Self.unknownKind(decoder))
        }
        let dueAt: CanvasAssignmentOverride.DueDate
        if c.contains(.dueAt) {
            dueAt = try c.decode(TimestampJSON.self, forKey: .dueAt).date.map { .date($0) } ?? .none
        } else {
            dueAt = .inherited
        }
        value = CanvasAssignmentOverride(
            id: try c.decodeIfPresent(CanvasIDJSON.self, forKey: .id)?.value,
            target: target,
            dueAt: dueAt,
            unlockAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .unlockAt)?.date,
            unassign: try c.decodeIfPresent(Bool.self, forKey: .unassignItem) ?? false
        )
    }

    /// What an override of no known kind names instead: its members that are neither this
    /// reader's nor common to every kind (`differentiation_tag_id`), or what it lacks.
    static func unknownKind(_ decoder: any Decoder) throws -> String {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let known = Set(Keys.allCases.map(\.stringValue))
        let others = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            .filter { !known.contains($0) && !commonMembers.contains($0) }
            .sorted()
        guard !others.isEmpty else { return "none of student_ids, course_section_id, group_id, course_id or noop_id" }
        return others.prefix(5).map { String($0.prefix(40)) }.joined(separator: ", ")
    }
}

/// `GET /api/v1/courses/:id/students/submissions`.
struct SubmissionJSON: Decodable {
    let value: CanvasSubmission

    enum Keys: String, CodingKey, CaseIterable {
        case assignmentID = "assignment_id"
        case userID = "user_id"
        case gradedAt = "graded_at"
        case score, excused
        case postedAt = "posted_at"
        case workflowState = "workflow_state"
    }

    /// A submission's `score`, which Canvas computes in floating point (`7.333333333333333`),
    /// rounded half up to two decimals as Canvas's gradebook export shows it; `nil` for an absurd
    /// number (it is only ever a stand-in for a cell, never a reason to refuse the file).
    static func score(_ number: Double) -> ExactDecimal? {
        ExactDecimal(jsonNumber: number, roundedTo: 2)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        var posting = CanvasSubmission.Posting.unknown
        if c.contains(.postedAt) {
            posting = try c.decode(TimestampJSON.self, forKey: .postedAt).date.map { .posted($0) } ?? .notPosted
        }
        value = CanvasSubmission(
            assignmentID: try c.decode(CanvasIDJSON.self, forKey: .assignmentID).value,
            userID: try c.decode(CanvasIDJSON.self, forKey: .userID).value,
            gradedAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .gradedAt)?.date,
            score: try c.decodeIfPresent(Double.self, forKey: .score).flatMap(SubmissionJSON.score),
            excused: try c.decodeIfPresent(Bool.self, forKey: .excused) ?? false,
            posting: posting,
            workflowState: try c.decodeIfPresent(String.self, forKey: .workflowState)
        )
    }
}

/// `GET /api/v1/courses/:id/enrollments`.
struct EnrollmentJSON: Decodable {
    let value: CanvasEnrollment

    enum Keys: String, CodingKey, CaseIterable {
        case userID = "user_id"
        case courseSectionID = "course_section_id"
        case sisUserID = "sis_user_id"
        case type
        case enrollmentState = "enrollment_state"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        value = CanvasEnrollment(
            userID: try c.decode(CanvasIDJSON.self, forKey: .userID).value,
            courseSectionID: try c.decode(CanvasIDJSON.self, forKey: .courseSectionID).value,
            sisUserID: nonBlank(try c.decodeIfPresent(String.self, forKey: .sisUserID)),
            type: try c.decode(String.self, forKey: .type),
            enrollmentState: try c.decode(String.self, forKey: .enrollmentState)
        )
    }
}
