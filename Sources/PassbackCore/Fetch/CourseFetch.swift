/// One course's calls (spec sections 2.2 and 8) and its two files: the bundle JSON, each member
/// the concatenation of its pages as Canvas sent them, and the gradebook CSV in Canvas's export
/// layout. The JSON is streamed to its staged file page by page as the pages arrive; what the
/// gradebook needs (sections, assignments, enrollments, submissions) is kept parsed until the
/// course's last call, and then written. Both files reach the inbox only when every call
/// succeeded.
struct CourseFetch {
    let client: CanvasClient
    /// `work/.fetch/`, where files are written before they are published.
    let staging: FolderHandle
    let inbox: FolderHandle
    /// Makes staged names unique when two references name one course.
    let slot: Int

    /// What became of one course.
    struct Outcome: Sendable {
        var reference: CourseReference
        /// The Canvas id, once the course call answered.
        var courseID: String?
        var stats = CallStats()
        /// The stem of the files written (`canvas-4242`), or why nothing was written.
        var result: Result<String, CanvasCallError>
    }

    /// Fetches and writes one course.
    /// - Throws: ``CanvasCallError`` of kind `tokenRefused` (nothing else will work),
    ///   ``FileSystemError`` (the workspace cannot be written) and `CancellationError`; every
    ///   other failure is the course's ``Outcome``.
    func run(_ reference: CourseReference) async throws -> Outcome {
        var outcome = Outcome(reference: reference, result: .failure(CanvasCallError(.failed, "not fetched")))
        do {
            let stem = try await fetch(reference, into: &outcome)
            outcome.result = .success(stem)
        } catch var error as CanvasCallError where error.kind != .tokenRefused {
            // The progress line names the course already.
            for name in [reference.description, outcome.courseID].compactMap({ $0 }) where error.message.hasPrefix("course \(name): ") {
                error.message.removeFirst("course \(name): ".count)
            }
            outcome.result = .failure(error)
        }
        return outcome
    }

    private func fetch(_ reference: CourseReference, into outcome: inout Outcome) async throws -> String {
        let endpoint = client.endpoint
        let course = try await client.object(
            endpoint.url("courses/" + CanvasEndpoint.coursePathComponent(reference), [("include[]", "term")]),
            what: "course \(reference)", as: CanvasAPIJSON.Course.self, stats: &outcome.stats
        )
        let id = course.value.id.value
        outcome.courseID = id
        let stem = "canvas-" + Workspace.fileComponent(id)
        let json = try StagedFile(in: staging, name: "\(slot)-\(stem).canvas.json.part")
        let maximumSize = CanvasBundleReader().maximumFileSize
        func checkSize() throws {
            guard json.size <= maximumSize else {
                throw CanvasCallError(.failed, "course \(id): its API answers come to more than \(maximumSize >> 20) MiB, more than the pipeline reads in one bundle")
            }
        }
        try json.write("{\"course\":")
        try json.write(Self.trimmed(course.bytes))

        var export = GradebookExport()
        let perPage = String(client.tuning.perPage)
        let calls: [(member: String, path: String, query: [(String, String)], what: String)] = [
            ("sections", "courses/\(id)/sections", [], "sections of course \(id)"),
            ("assignment_groups", "courses/\(id)/assignment_groups", [("include[]", "assignments"), ("include[]", "overrides")], "assignment groups of course \(id)"),
            ("submissions", "courses/\(id)/students/submissions", [("student_ids[]", "all")], "submissions of course \(id)"),
            (
                "enrollments", "courses/\(id)/enrollments", [("type[]", "StudentEnrollment"), ("state[]", "active"), ("state[]", "completed")],
                "student enrollments of course \(id)"
            ),
        ]
        for call in calls {
            try json.write(",\n\"\(call.member)\":[")
            var first = true
            let url = endpoint.url(call.path, call.query + [("per_page", perPage)])
            func append(_ bytes: [UInt8]) throws {
                let inner = Self.arrayContents(bytes)
                guard !inner.isEmpty else { return }
                if !first { try json.write(CollectionOfOne(UInt8(ascii: ","))) }
                try json.write(inner)
                first = false
                try checkSize()
            }
            switch call.member {
            case "sections":
                try await client.list(url, what: call.what, of: CanvasAPIJSON.Section.self, stats: &outcome.stats) { bytes, elements in
                    try append(bytes)
                    export.add(sections: elements)
                }
            case "assignment_groups":
                try await client.list(url, what: call.what, of: CanvasAPIJSON.AssignmentGroup.self, stats: &outcome.stats) { bytes, elements in
                    try append(bytes)
                    export.add(groups: elements)
                }
            case "submissions":
                try await client.list(url, what: call.what, of: CanvasAPIJSON.Submission.self, stats: &outcome.stats) { bytes, elements in
                    try append(bytes)
                    export.add(submissions: elements)
                }
            default:
                try await client.list(url, what: call.what, of: CanvasAPIJSON.Enrollment.self, stats: &outcome.stats) { bytes, elements in
                    try append(bytes)
                    export.add(enrollments: elements)
                }
            }
            try json.write("]")
        }
        try json.write("}\n")
        try json.finish()

        let gradebook = try StagedFile(in: staging, name: "\(slot)-\(stem).gradebook.csv.part")
        try gradebook.write(export.csv())
        try gradebook.finish()
        try Task.checkCancellation()
        try json.publish(into: inbox, as: stem + ".canvas.json")
        try gradebook.publish(into: inbox, as: stem + ".gradebook.csv")
        try inbox.sync()
        return stem
    }

    /// `bytes` without surrounding white space or a byte-order mark.
    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    /// What is between the brackets of a page that decoded as a JSON array, without surrounding
    /// white space; empty for an empty page.
    static func arrayContents(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = trimmed(bytes)
        guard slice.first == UInt8(ascii: "["), slice.last == UInt8(ascii: "]") else { return [] }
        slice = slice.dropFirst().dropLast()
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
