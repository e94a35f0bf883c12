import Foundation

/// The fast path of ``CanvasBundleReader``: a byte-level JSON reader made for the bundle's shape,
/// reading what the `Decodable` types of `CanvasBundleReader.swift` read, the same way, and
/// skipping (while checking the grammar of) everything else.
///
/// It only ever says "this is the bundle" or "I am not sure": anything it does not expect (a
/// syntax error, a type the decoder would refuse, an escaped key, a repeated member, a number it
/// would have to think about, a byte-order mark, deep nesting, an override of a kind it does not
/// know, which the decoder names) makes it give up, and the reader
/// decodes the file with Foundation's `JSONDecoder`, which either reads it or says exactly
/// what is wrong. So error messages and edge cases are the decoder's; the fast path only has to
/// agree with it on bundles that are valid. Foundation's decoder builds a dictionary for every
/// object, keys and all; this reads a bundle an order of magnitude faster (docs/PERFORMANCE.md,
/// "Measurements behind design choices").
struct CanvasBundleFastReader {
    /// Thrown (and caught by the reader) when the fast path gives up.
    struct GiveUp: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    private static let maximumDepth = 128

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The bundle, or `nil` when the decoder must decide.
    static func read(_ data: Data) -> CanvasBundle? {
        data.withUnsafeBytes { raw -> CanvasBundle? in
            var reader = CanvasBundleFastReader(bytes: raw.bindMemory(to: UInt8.self))
            do {
                let bundle = try reader.bundle()
                reader.skipWhitespace()
                return reader.position == reader.bytes.count ? bundle : nil
            } catch {
                return nil
            }
        }
    }

    // MARK: The bundle's shape (mirrors the Decodable types)

    // Each object is read member by member with ``nextMember(_:_:)``, which matches keys against
    // the `Decodable` type's own coding keys (``JSONMemberNames``) and skips the members it does
    // not read; each `switch` covers every key, so a key added to a `Decodable` type does not
    // compile until the fast path reads it too.

    private mutating func bundle() throws -> CanvasBundle {
        var course: CanvasCourse?
        var sections: [CanvasSection]?
        var groups: [CanvasAssignmentGroup]?
        var submissions: [CanvasSubmission]??
        var enrollments: [CanvasEnrollment]??
        try openObject()
        var first = true
        let names = BundleJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .course:
                try fresh(course)
                course = try self.course()
            case .sections:
                try fresh(sections)
                sections = try list { try $0.section() }
            case .assignmentGroups:
                try fresh(groups)
                groups = try list { try $0.group() }
            case .submissions:
                try fresh(submissions)
                submissions = .some(try nullableList { try $0.submission() })
            case .enrollments:
                try fresh(enrollments)
                enrollments = .some(try nullableList { try $0.enrollment() })
            }
        }
        guard let course, let sections, let groups else { throw GiveUp() }
        return CanvasBundle(
            course: course, sections: sections, assignmentGroups: groups, submissions: (submissions ?? nil) ?? [],
            enrollments: enrollments ?? nil
        )
    }

    private mutating func course() throws -> CanvasCourse {
        var id: String?
        var name: String??
        var sis: String??
        var state: String?
        var term: String???
        try openObject()
        var first = true
        let names = CourseJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .id:
                try fresh(id)
                id = try canvasID()
            case .name:
                try fresh(name)
                name = try nullableString()
            case .sisCourseID:
                try fresh(sis)
                sis = try nullableString()
            case .workflowState:
                try fresh(state)
                state = try string()
            case .term:
                try fresh(term)
                if try null() {
                    term = .some(nil)
                } else {
                    var sisTerm: String??
                    try openObject()
                    var firstMember = true
                    while let inner = try nextMember(CourseJSON.Term.names, &firstMember) {
                        switch inner {
                        case .sisTermID:
                            try fresh(sisTerm)
                            sisTerm = try nullableString()
                        }
                    }
                    term = .some(nonBlank(sisTerm ?? nil))
                }
            }
        }
        guard let id, let state else { throw GiveUp() }
        return CanvasCourse(id: id, name: name ?? nil, sisCourseID: nonBlank(sis ?? nil), workflowState: state, sisTermID: (term ?? nil) ?? nil)
    }

    private mutating func section() throws -> CanvasSection {
        var id: String?
        var name: String?
        var sis: String??
        try openObject()
        var first = true
        let names = SectionJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .id:
                try fresh(id)
                id = try canvasID()
            case .name:
                try fresh(name)
                name = try string()
            case .sisSectionID:
                try fresh(sis)
                sis = try nullableString()
            }
        }
        guard let id, let name else { throw GiveUp() }
        return CanvasSection(id: id, name: name, sisSectionID: nonBlank(sis ?? nil))
    }

    private mutating func group() throws -> CanvasAssignmentGroup {
        var id: String?
        var name: String?
        var sis: String??
        var assignments: [CanvasAssignment]??
        try openObject()
        var first = true
        let names = GroupJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .id:
                try fresh(id)
                id = try canvasID()
            case .name:
                try fresh(name)
                name = try string()
            case .sisSourceID:
                try fresh(sis)
                sis = try nullableString()
            case .assignments:
                try fresh(assignments)
                assignments = .some(try nullableList { try $0.assignment() })
            }
        }
        guard let id, let name else { throw GiveUp() }
        return CanvasAssignmentGroup(id: id, name: name, sisSourceID: nonBlank(sis ?? nil), assignments: (assignments ?? nil) ?? [])
    }

    private mutating func assignment() throws -> CanvasAssignment {
        var id: String?
        var name: String?
        var published: Bool?
        var postToSIS: Bool??
        var dueAt: Date??
        var unlockAt: Date??
        var points: ExactDecimal??
        var gradingType: String??
        var onlyVisible: Bool??
        var overrides: [CanvasAssignmentOverride]??
        try openObject()
        var first = true
        let names = AssignmentJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .id:
                try fresh(id)
                id = try canvasID()
            case .name:
                try fresh(name)
                name = try string()
            case .published:
                try fresh(published)
                published = try bool()
            case .postToSIS:
                try fresh(postToSIS)
                postToSIS = try null() ? .some(nil) : try bool()
            case .dueAt:
                try fresh(dueAt)
                dueAt = try timestamp()
            case .unlockAt:
                try fresh(unlockAt)
                unlockAt = try timestamp()
            case .pointsPossible:
                try fresh(points)
                if try null() {
                    points = .some(nil)
                } else {
                    guard let exact = try jsonDecimal(), !exact.isNegative else { throw GiveUp() }
                    points = exact
                }
            case .gradingType:
                try fresh(gradingType)
                gradingType = try nullableString()
            case .onlyVisibleToOverrides:
                try fresh(onlyVisible)
                onlyVisible = try null() ? .some(nil) : try bool()
            case .overrides:
                try fresh(overrides)
                overrides = .some(try nullableList { try $0.override() })
            }
        }
        guard let id, let name, let published else { throw GiveUp() }
        return CanvasAssignment(
            id: id, name: name, published: published, postToSIS: (postToSIS ?? nil) ?? false,
            dueAt: (dueAt ?? nil) ?? nil, unlockAt: (unlockAt ?? nil) ?? nil, pointsPossible: (points ?? nil) ?? nil,
            gradingType: gradingType ?? nil, onlyVisibleToOverrides: (onlyVisible ?? nil) ?? false,
            overrides: (overrides ?? nil) ?? []
        )
    }

    private mutating func override() throws -> CanvasAssignmentOverride {
        var id: String??
        var students: [String]??
        var section: String??
        var group: String??
        var course: String??
        var noop: String??
        var unassign: Bool??
        var dueAt: Date??
        var unlockAt: Date??
        try openObject()
        var first = true
        let names = OverrideJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .id:
                try fresh(id)
                id = try null() ? .some(nil) : try canvasID()
            case .studentIDs:
                try fresh(students)
                students = .some(try nullableList { try $0.canvasID() })
            case .courseSectionID:
                try fresh(section)
                section = try null() ? .some(nil) : try canvasID()
            case .groupID:
                try fresh(group)
                group = try null() ? .some(nil) : try canvasID()
            case .courseID:
                try fresh(course)
                course = try null() ? .some(nil) : try canvasID()
            case .noopID:
                try fresh(noop)
                noop = try null() ? .some(nil) : try canvasID()
            case .unassignItem:
                try fresh(unassign)
                unassign = try null() ? .some(nil) : try bool()
            case .dueAt:
                try fresh(dueAt)
                dueAt = try timestamp()
            case .unlockAt:
                try fresh(unlockAt)
                unlockAt = try timestamp()
            }
        }
        let target: CanvasAssignmentOverride.Target
        if let students = students ?? nil {
            target = .students(students)
        } else if let section = section ?? nil {
            target = .section(section)
        } else if let group = group ?? nil {
            target = .group(group)
        } else if let course = course ?? nil {
            target = .course(course)
        } else if let noop {
            target = .noop(noop)
        } else {
            // A kind this reader does not know: the decoder names it.
            throw GiveUp()
        }
        let due: CanvasAssignmentOverride.DueDate
        switch dueAt {
        case .none: due = .inherited
        case .some(.none): due = .none
        case .some(.some(let date)): due = .date(date)
        }
        return CanvasAssignmentOverride(id: id ?? nil, target: target, dueAt: due, unlockAt: (unlockAt ?? nil) ?? nil, unassign: (unassign ?? nil) ?? false)
    }

    private mutating func submission() throws -> CanvasSubmission {
        var assignment: String?
        var user: String?
        var gradedAt: Date??
        var score: ExactDecimal???
        var excused: Bool??
        var postedAt: Date??
        var state: String??
        try openObject()
        var first = true
        let names = SubmissionJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .assignmentID:
                try fresh(assignment)
                assignment = try canvasID()
            case .userID:
                try fresh(user)
                user = try canvasID()
            case .gradedAt:
                try fresh(gradedAt)
                gradedAt = try timestamp()
            case .score:
                try fresh(score)
                if try null() {
                    score = .some(nil)
                } else {
                    let range = try scanNumber()
                    // As the decoder: a `Double` (out of range: the decoder refuses it), rounded.
                    guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)), value.isFinite else { throw GiveUp() }
                    score = .some(SubmissionJSON.score(value))
                }
            case .excused:
                try fresh(excused)
                excused = try null() ? .some(nil) : try bool()
            case .postedAt:
                try fresh(postedAt)
                postedAt = try timestamp()
            case .workflowState:
                try fresh(state)
                state = try nullableString()
            }
        }
        guard let assignment, let user else { throw GiveUp() }
        let posting: CanvasSubmission.Posting
        switch postedAt {
        case .none: posting = .unknown
        case .some(.none): posting = .notPosted
        case .some(.some(let date)): posting = .posted(date)
        }
        return CanvasSubmission(
            assignmentID: assignment, userID: user, gradedAt: (gradedAt ?? nil) ?? nil, score: (score ?? nil) ?? nil,
            excused: (excused ?? nil) ?? false, posting: posting, workflowState: state ?? nil
        )
    }

    private mutating func enrollment() throws -> CanvasEnrollment {
        var user: String?
        var section: String?
        var sis: String??
        var type: String?
        var state: String?
        try openObject()
        var first = true
        let names = EnrollmentJSON.names  // once, not per key
        while let key = try nextMember(names, &first) {
            switch key {
            case .userID:
                try fresh(user)
                user = try canvasID()
            case .courseSectionID:
                try fresh(section)
                section = try canvasID()
            case .sisUserID:
                try fresh(sis)
                sis = try nullableString()
            case .type:
                try fresh(type)
                type = try string()
            case .enrollmentState:
                try fresh(state)
                state = try string()
            }
        }
        guard let user, let section, let type, let state else { throw GiveUp() }
        return CanvasEnrollment(userID: user, courseSectionID: section, sisUserID: nonBlank(sis ?? nil), type: type, enrollmentState: state)
    }

    /// A JSON number as the decoder makes it an ``ExactDecimal``: a `Double`, then its shortest
    /// decimal spelling. A plain non-negative decimal of at most 15 digits is that spelling
    /// already (such decimals survive a round trip through `Double`), so it is read as it is.
    private mutating func jsonDecimal() throws -> ExactDecimal? {
        let range = try scanNumber()
        let lexeme = UnsafeBufferPointer(rebasing: bytes[range])
        if lexeme.count <= 16, lexeme[0] != UInt8(ascii: "-"), !lexeme.contains(UInt8(ascii: "e")), !lexeme.contains(UInt8(ascii: "E")),
            let exact = ExactDecimal.parse(lexeme)
        {
            return exact
        }
        guard let value = Double(String(decoding: lexeme, as: UTF8.self)) else { throw GiveUp() }
        return ExactDecimal(jsonNumber: value)
    }

    // MARK: Values

    /// A member seen twice: the decoder decides.
    private func fresh<T>(_ slot: T?) throws {
        guard slot == nil else { throw GiveUp() }
    }

    /// Consumes `null` if it comes next.
    private mutating func null() throws -> Bool {
        skipWhitespace()
        guard peek == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func nullableString() throws -> String? {
        try null() ? nil : try string()
    }

    /// A Canvas id: a whole number (`Int64`) or a string of digits, as ``CanvasIDJSON``.
    private mutating func canvasID() throws -> String {
        skipWhitespace()
        if peek == UInt8(ascii: "\"") {
            let text = try string()
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw GiveUp() }
            return text
        }
        // Plain non-negative integers of at most 18 digits (an Int64 whatever the digits; the
        // grammar allows no leading zero, so the bytes are the decoder's `String(value)`). The
        // decoder decides (and words the refusal of) the rest.
        let range = try scanNumber()
        let digits = UnsafeBufferPointer(rebasing: bytes[range])
        guard digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw GiveUp() }
        return String(decoding: digits, as: UTF8.self)
    }

    /// ``TimestampJSON``: `null` or ISO 8601 text.
    private mutating func timestamp() throws -> Date? {
        if try null() { return nil }
        let date: Date?
        if let raw = try plainString() {
            date = ISOTimestamp.parse(utf8: raw)
        } else {
            date = ISOTimestamp.parse(try string())
        }
        guard let date else { throw GiveUp() }
        return date
    }

    private mutating func bool() throws -> Bool {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default:
            throw GiveUp()
        }
    }

    // MARK: JSON grammar

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw GiveUp() }
        position += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw GiveUp() }
        let start = word.utf8Start
        for i in 0..<count where bytes[position + i] != start[i] { throw GiveUp() }
        position += count
    }

    /// `{`; then ``nextKey(_:)`` until it returns `nil`, reading each member's value.
    private mutating func openObject() throws {
        try expect(UInt8(ascii: "{"))
        depth += 1
        guard depth <= Self.maximumDepth else { throw GiveUp() }
    }

    /// The next member that `names` lists (its `:` consumed), skipping (and checking) the
    /// members the type does not read; `nil` at the object's end.
    private mutating func nextMember<Key>(_ names: JSONMemberNames<Key>, _ first: inout Bool) throws -> Key? {
        while let name = try nextKey(&first) {
            if !name.isEmpty, let key = names.key(name) { return key }
            // Unknown keys may be any UTF-8; the decoder refuses invalid UTF-8.
            if !name.allSatisfy({ $0 < 0x80 }), UTF8Text.decode(name) == nil { throw GiveUp() }
            try skipValue()
        }
        return nil
    }

    /// The next member's key, as its bytes (its `:` consumed), or `nil` at the object's end.
    private mutating func nextKey(_ first: inout Bool) throws -> UnsafeBufferPointer<UInt8>? {
        skipWhitespace()
        guard let next = peek else { throw GiveUp() }
        if first {
            first = false
            if next == UInt8(ascii: "}") {
                position += 1
                depth -= 1
                return nil
            }
        } else {
            position += 1
            if next == UInt8(ascii: "}") {
                depth -= 1
                return nil
            }
            guard next == UInt8(ascii: ",") else { throw GiveUp() }
        }
        try expect(UInt8(ascii: "\""))
        // Keys with escapes are left to the decoder.
        let start = position
        while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
            let byte = bytes[position]
            guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { throw GiveUp() }
            position += 1
        }
        guard position < bytes.count else { throw GiveUp() }
        let keyBytes = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        try expect(UInt8(ascii: ":"))
        return keyBytes
    }

    /// `[`; then ``nextElement(_:)`` until it returns false, reading each element.
    private mutating func openArray() throws {
        try expect(UInt8(ascii: "["))
        depth += 1
        guard depth <= Self.maximumDepth else { throw GiveUp() }
    }

    /// `[element, ...]`, each element read by `element`.
    private mutating func list<Element>(_ element: (inout Self) throws -> Element) throws -> [Element] {
        var list: [Element] = []
        try openArray()
        var more = true
        while try nextElement(&more) { list.append(try element(&self)) }
        return list
    }

    /// `null`, or a ``list(_:)``.
    private mutating func nullableList<Element>(_ element: (inout Self) throws -> Element) throws -> [Element]? {
        try null() ? nil : try list(element)
    }

    /// Whether another element follows (its `,` consumed); `first` starts true.
    private mutating func nextElement(_ first: inout Bool) throws -> Bool {
        skipWhitespace()
        guard let next = peek else { throw GiveUp() }
        if first {
            first = false
            if next == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return false
            }
            return true
        }
        position += 1
        if next == UInt8(ascii: "]") {
            depth -= 1
            return false
        }
        guard next == UInt8(ascii: ",") else { throw GiveUp() }
        return true
    }

    /// A string value, unescaped and checked as UTF-8.
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var plain = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 else { throw GiveUp() }
            if byte == UInt8(ascii: "\\") {
                plain = false
                position += 2
            } else {
                position += 1
            }
        }
        guard position < bytes.count else { throw GiveUp() }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        if plain {
            guard let text = UTF8Text.decode(raw) else { throw GiveUp() }
            return text
        }
        return try Self.unescape(raw)
    }

    /// A string value without escapes, as its bytes (not checked as UTF-8), consumed; `nil`
    /// (nothing consumed) when it has escapes.
    private mutating func plainString() throws -> UnsafeBufferPointer<UInt8>? {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw GiveUp() }
        var end = position + 1
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 else { throw GiveUp() }
            if byte == UInt8(ascii: "\\") { return nil }
            end += 1
        }
        guard end < bytes.count else { throw GiveUp() }
        let raw = UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end])
        position = end + 1
        return raw
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count else { throw GiveUp() }
            var value: UInt32 = 0
            for k in at..<(at + 4) {
                let c = raw[k]
                let digit: UInt32
                switch c {
                case 48...57: digit = UInt32(c - 48)
                case 65...70: digit = UInt32(c - 55)
                case 97...102: digit = UInt32(c - 87)
                default: throw GiveUp()
                }
                value = value << 4 | digit
            }
            return value
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { throw GiveUp() }
            switch raw[i + 1] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i + 2)
                i += 6
                if (0xD800...0xDBFF).contains(scalar) {
                    // A pair, or the decoder decides.
                    guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") else { throw GiveUp() }
                    let low = try hex4(i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw GiveUp() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw GiveUp()
                }
                guard scalar != 0, let unicode = Unicode.Scalar(scalar) else { throw GiveUp() }
                out.append(contentsOf: String(Character(unicode)).utf8)
                continue
            default:
                throw GiveUp()
            }
            i += 2
        }
        guard let text = out.withUnsafeBufferPointer({ UTF8Text.decode($0) }) else { throw GiveUp() }
        return text
    }

    /// Checks and skips a JSON number; returns where it is.
    private mutating func scanNumber() throws -> Range<Int> {
        skipWhitespace()
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 { position += 1 }
            return position - first
        }
        if peek == UInt8(ascii: "-") { position += 1 }
        guard let lead = peek, lead >= 48, lead <= 57 else { throw GiveUp() }
        if lead == 48 {
            position += 1
        } else {
            _ = digits()
        }
        if peek == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw GiveUp() }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw GiveUp() }
        }
        return start..<position
    }

    /// Any value, checked and skipped.
    private mutating func skipValue() throws {
        skipWhitespace()
        guard let first = peek else { throw GiveUp() }
        switch first {
        case UInt8(ascii: "{"):
            try openObject()
            var first = true
            while let name = try nextKey(&first) {
                if !name.allSatisfy({ $0 < 0x80 }), UTF8Text.decode(name) == nil { throw GiveUp() }
                try skipValue()
            }
        case UInt8(ascii: "["):
            try openArray()
            var first = true
            while try nextElement(&first) { try skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try scanNumber()
        }
    }

    /// A string that is not kept: the grammar and UTF-8 are checked, nothing is built.
    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        let start = position
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 else { throw GiveUp() }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\\") {
                // Escapes are checked by unescaping (rare in values nobody reads).
                position = start - 1
                _ = try string()
                return
            }
            position += 1
        }
        guard position < bytes.count else { throw GiveUp() }
        if !ascii, UTF8Text.decode(UnsafeBufferPointer(rebasing: bytes[start..<position])) == nil { throw GiveUp() }
        position += 1
    }
}

// MARK: - Member names

// The fast path's member names are the `Decodable` types' coding keys.
extension BundleJSON { static let names = JSONMemberNames<Keys>() }
extension CourseJSON { static let names = JSONMemberNames<Keys>() }
extension CourseJSON.Term { static let names = JSONMemberNames<Keys>() }
extension SectionJSON { static let names = JSONMemberNames<Keys>() }
extension GroupJSON { static let names = JSONMemberNames<Keys>() }
extension AssignmentJSON { static let names = JSONMemberNames<Keys>() }
extension OverrideJSON { static let names = JSONMemberNames<Keys>() }
extension SubmissionJSON { static let names = JSONMemberNames<Keys>() }
extension EnrollmentJSON { static let names = JSONMemberNames<Keys>() }
