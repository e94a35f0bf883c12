import Foundation

/// Reads `<stem>.canvas.json`: one JSON object whose members are Canvas REST API responses
/// (`course`, `sections`, `assignment_groups`, optional `submissions`), as Canvas returns them.
///
/// A byte-level reader made for the bundle's shape (``CanvasBundleFastReader``) reads valid
/// bundles; whatever it is not sure of goes to Foundation's `JSONDecoder` with the `Decodable`
/// conformances below, which are strict about what the rules need, ignore everything else, and
/// say what is wrong: a failure names the member and what was expected.
public struct CanvasBundleReader: Sendable {
    /// Larger files are refused before parsing (a course bundle is a few hundred KiB).
    public var maximumFileSize: Int

    public init(maximumFileSize: Int = 64 << 20) {
        self.maximumFileSize = maximumFileSize
    }

    public func read(fileAt path: String) throws -> CanvasBundle {
        let url = URL(fileURLWithPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maximumFileSize else {
            throw InputFileError(.malformedFile, "The bundle JSON is \(size) bytes, more than the \(maximumFileSize) allowed; export the course's API responses again.")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw InputFileError(.malformedFile, "The bundle JSON cannot be read (\(error.localizedDescription)).")
        }
        return try read(data: data)
    }

    public func read(data: Data) throws -> CanvasBundle {
        guard data.count <= maximumFileSize else {
            throw InputFileError(.malformedFile, "The bundle JSON is \(data.count) bytes, more than the \(maximumFileSize) allowed.")
        }
        guard !data.isEmpty else {
            throw InputFileError(.malformedFile, "The bundle JSON is empty; it must be one object with course, sections and assignment_groups.")
        }
        if let bundle = CanvasBundleFastReader.read(data) { return bundle }
        return try decodeWithFoundation(data)
    }

    /// The reference path: Foundation's `JSONDecoder` and the `Decodable` types below. Every
    /// file the fast path (``CanvasBundleFastReader``) is not sure of comes here, so this is what
    /// says why a bundle is refused.
    func decodeWithFoundation(_ data: Data) throws -> CanvasBundle {
        do {
            return try JSONDecoder().decode(BundleJSON.self, from: data).bundle
        } catch let error as DecodingError {
            throw InputFileError(.malformedFile, Self.describe(error))
        } catch let error as InputFileError {
            throw error
        } catch {
            throw InputFileError(.malformedFile, "The bundle JSON cannot be read: \(error.localizedDescription)")
        }
    }

    /// `member assignment_groups[0].assignments[2].published: expected true or false.`
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
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let what = context.debugDescription
            return "\(path(context.codingPath)): \(what.lowercased().hasPrefix("expected") ? what : "expected " + what)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "The file is not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription)); it must be one JSON object."
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "The bundle JSON cannot be read: \(error)"
        }
    }
}

// MARK: - Decoding

/// An id that Canvas writes as a number, or as a string with `application/json+canvas-string-ids`.
struct CanvasIDJSON: Decodable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
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
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text.prefix(40))' is not an ISO 8601 timestamp such as 2025-09-12T05:59:59Z"))
        }
        date = parsed
    }
}

/// Blank strings are as good as null for SIS ids.
func nonBlank(_ text: String?) -> String? {
    guard let trimmed = text?.trimmedOfWhitespaces, !trimmed.isEmpty else { return nil }
    return trimmed
}

private struct BundleJSON: Decodable {
    let bundle: CanvasBundle

    enum Keys: String, CodingKey {
        case course, sections
        case assignmentGroups = "assignment_groups"
        case submissions
    }

    init(from decoder: any Decoder) throws {
        let object: KeyedDecodingContainer<Keys>
        do {
            object = try decoder.container(keyedBy: Keys.self)
        } catch {
            throw DecodingError.typeMismatch([String: String].self, .init(codingPath: [], debugDescription: "The bundle JSON must be one object with course, sections and assignment_groups"))
        }
        let course = try object.decode(CourseJSON.self, forKey: .course)
        let sections = try object.decode([SectionJSON].self, forKey: .sections)
        let groups = try object.decode([GroupJSON].self, forKey: .assignmentGroups)
        let submissions = try object.decodeIfPresent([SubmissionJSON].self, forKey: .submissions) ?? []
        bundle = CanvasBundle(
            course: course.value,
            sections: sections.map(\.value),
            assignmentGroups: groups.map(\.value),
            submissions: submissions.map(\.value)
        )
    }
}

private struct CourseJSON: Decodable {
    let value: CanvasCourse

    enum Keys: String, CodingKey {
        case id, name
        case sisCourseID = "sis_course_id"
        case workflowState = "workflow_state"
        case term
    }

    struct Term: Decodable {
        let sisTermID: String?
        enum Keys: String, CodingKey { case sisTermID = "sis_term_id" }
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

private struct SectionJSON: Decodable {
    let value: CanvasSection

    enum Keys: String, CodingKey {
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

private struct GroupJSON: Decodable {
    let value: CanvasAssignmentGroup

    enum Keys: String, CodingKey {
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

private struct AssignmentJSON: Decodable {
    let value: CanvasAssignment

    enum Keys: String, CodingKey {
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
        var points: ExactDecimal?
        if let number = try c.decodeIfPresent(Double.self, forKey: .pointsPossible) {
            guard let exact = ExactDecimal(jsonNumber: number), !exact.isNegative else {
                throw DecodingError.dataCorruptedError(forKey: .pointsPossible, in: c, debugDescription: "expected a non-negative number of points")
            }
            points = exact
        }
        value = CanvasAssignment(
            id: try c.decode(CanvasIDJSON.self, forKey: .id).value,
            name: try c.decode(String.self, forKey: .name),
            published: try c.decode(Bool.self, forKey: .published),
            postToSIS: try c.decodeIfPresent(Bool.self, forKey: .postToSIS) ?? false,
            dueAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .dueAt)?.date,
            unlockAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .unlockAt)?.date,
            pointsPossible: points,
            gradingType: try c.decodeIfPresent(String.self, forKey: .gradingType),
            onlyVisibleToOverrides: try c.decodeIfPresent(Bool.self, forKey: .onlyVisibleToOverrides) ?? false,
            overrides: try c.decodeIfPresent([OverrideJSON].self, forKey: .overrides)?.map(\.value) ?? []
        )
    }
}

private struct OverrideJSON: Decodable {
    let value: CanvasAssignmentOverride

    enum Keys: String, CodingKey {
        case id
        case studentIDs = "student_ids"
        case courseSectionID = "course_section_id"
        case groupID = "group_id"
        case dueAt = "due_at"
        case unlockAt = "unlock_at"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let target: CanvasAssignmentOverride.Target
        if let students = try c.decodeIfPresent([CanvasIDJSON].self, forKey: .studentIDs) {
            target = .students(students.map(\.value))
        } else if let section = try c.decodeIfPresent(CanvasIDJSON.self, forKey: .courseSectionID) {
            target = .section(section.value)
        } else if let group = try c.decodeIfPresent(CanvasIDJSON.self, forKey: .groupID) {
            target = .group(group.value)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an override needs student_ids, course_section_id or group_id"))
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
            unlockAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .unlockAt)?.date
        )
    }
}

private struct SubmissionJSON: Decodable {
    let value: CanvasSubmission

    enum Keys: String, CodingKey {
        case assignmentID = "assignment_id"
        case userID = "user_id"
        case gradedAt = "graded_at"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        value = CanvasSubmission(
            assignmentID: try c.decode(CanvasIDJSON.self, forKey: .assignmentID).value,
            userID: try c.decode(CanvasIDJSON.self, forKey: .userID).value,
            gradedAt: try c.decodeIfPresent(TimestampJSON.self, forKey: .gradedAt)?.date
        )
    }
}
