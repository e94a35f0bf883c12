extension RuleCode {
    /// A gradebook section name that two Canvas sections share, for a student the bundle's
    /// enrollments do not place: passback cannot tell which section they are in.
    static let ambiguousSection = RuleCode("ambiguous-section")
}

/// Spec 2.2 and 4: which Canvas sections each student of the gradebook is in.
///
/// With the bundle's `enrollments`, a student's sections are the `course_section_id`s of their
/// student enrollments (not `deleted` or `rejected`), and their SIS id, when the gradebook has
/// none, the enrollment's `sis_user_id`; the gradebook's `Section` cell is then only a
/// cross-check (a `bundle-mismatch` warning when it names other sections). Without enrollments
/// (or for a student they do not list), the `Section` cell's names are matched against the
/// course's sections: a name listed twice (`Period 1 and Period 1`) is one name, and a name that
/// two Canvas sections share is `ambiguous-section` for that student, never a guess (unless
/// none of those sections is in Aspire, when it does not matter which one it is).
struct SectionRoster: Sendable {
    /// Per Canvas section id: indices into ``students``, in gradebook order, each once.
    var members: [String: [Int]]
    /// The gradebook's students, the Test Student left out, with SIS ids from the enrollments
    /// where the gradebook has none.
    var students: [GradebookStudent]
    /// Rows about students and sections (bundle-level: no request).
    var diagnostics: [Diagnostic]
    /// The Test Student's row, reported after the others.
    var testStudentRows: [Diagnostic]

    init(bundle: CanvasBundle, gradebook: Gradebook, subject courseSubject: ReportSubject, gradebookFile: String, bundleFile: String) {
        members = [:]
        diagnostics = []
        testStudentRows = []
        var sectionsByName: [String: [CanvasSection]] = [:]
        var sectionsByID: [String: CanvasSection] = [:]
        for section in bundle.sections {
            sectionsByName[section.name, default: []].append(section)
            sectionsByID[section.id] = section
        }
        let names = SectionNameList(knownNames: sectionsByName.keys)

        // Enrollments: the truth where they are given.
        var enrolled: [String: [String]] = [:]  // Canvas user id → section ids, in bundle section order
        var enrolledSIS: [String: String] = [:]
        if let enrollments = bundle.enrollments {
            var reportedSections: Set<String> = []
            for enrollment in enrollments where enrollment.makesStudent {
                guard sectionsByID[enrollment.courseSectionID] != nil else {
                    if reportedSections.insert(enrollment.courseSectionID).inserted {
                        diagnostics.append(
                            .error(
                                .unknownSection,
                                "The bundle's enrollments name section \(enrollment.courseSectionID), which its sections do not list; export the course's sections and enrollments at the same time.",
                                subject: courseSubject, location: SourceLocation(file: bundleFile)
                            ))
                    }
                    continue
                }
                if !enrolled[enrollment.userID, default: []].contains(enrollment.courseSectionID) {
                    enrolled[enrollment.userID, default: []].append(enrollment.courseSectionID)
                }
                if enrolledSIS[enrollment.userID] == nil, let sis = enrollment.sisUserID { enrolledSIS[enrollment.userID] = sis }
            }
        }

        students = gradebook.students
        var reportedUnknown: Set<String> = []
        for index in students.indices {
            let student = students[index]
            let location = SourceLocation(file: gradebookFile, line: student.line)
            if student.isTestStudent {
                if let row = StudentIdentityRule().check(student, subject: courseSubject, location: location) { testStudentRows.append(row) }
                continue
            }
            if student.sisUserID == nil, let sis = enrolledSIS[student.canvasUserID] {
                students[index].sisUserID = sis
            }
            var subject = courseSubject
            subject.studentSISID = students[index].sisUserID.map(XMLCharacters.sanitized)
            let listed = names.split(student.sectionText).map(Self.unique)

            if let sections = enrolled[student.canvasUserID], !sections.isEmpty {
                for id in sections { members[id, default: []].append(index) }
                // The cross-check: the gradebook's names against the enrollments' sections.
                let enrolledNames = Set(sections.compactMap { sectionsByID[$0]?.name })
                let gradebookNames = listed ?? [student.sectionText]
                if Set(gradebookNames) != enrolledNames {
                    diagnostics.append(
                        .warning(
                            .bundleMismatch,
                            "The gradebook lists this student in \(Self.quoted(gradebookNames)) but Canvas's enrollments in \(Self.quoted(enrolledNames.sorted())); passback follows the enrollments. Export both files of the course at the same time.",
                            subject: subject, location: location
                        ))
                }
                continue
            }
            guard let listed else {
                if reportedUnknown.insert(student.sectionText).inserted {
                    diagnostics.append(
                        .error(
                            .unknownSection,
                            "The gradebook names section \"\(student.sectionText)\", which the course's Canvas sections do not have; export the gradebook and the bundle of the course at the same time.",
                            subject: subject, location: location
                        ))
                }
                continue
            }
            for name in listed {
                let candidates = sectionsByName[name] ?? []
                if candidates.count > 1, candidates.contains(where: { $0.sisSectionID != nil }) {
                    let ids = candidates.map { "\($0.id)" + ($0.sisSectionID.map { " (\($0))" } ?? "") }.joined(separator: ", ")
                    diagnostics.append(
                        .error(
                            .ambiguousSection,
                            "\(candidates.count) Canvas sections are named \"\(name)\" (\(ids)) and the gradebook names sections, not ids, so this student's grades are not sent for it. Add the enrollments to the bundle (passback fetch does), or give the sections different names in Canvas.",
                            subject: subject, location: location
                        ))
                    continue
                }
                for section in candidates {
                    members[section.id, default: []].append(index)
                }
            }
        }
    }

    /// The names without repeats, in order: `Period 1 and Period 1` is one section.
    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    static func quoted(_ names: [String]) -> String {
        names.map { "\"\($0)\"" }.joined(separator: " and ")
    }
}
