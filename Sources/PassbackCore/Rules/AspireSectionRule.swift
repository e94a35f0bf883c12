extension RuleCode {
    /// A Canvas section without an SIS section id: not an Aspire section, so its students are
    /// not passed back there.
    static let sectionNotInAspire = RuleCode("section-not-in-aspire")
}

/// Spec 4 (v2): a Canvas section is passed back only as the Aspire section its
/// `sis_section_id` names. Without one it is not an Aspire section (teachers make them for
/// groups; Canvas makes a default one named after the course): reported once per bundle as
/// `section-not-in-aspire` (skipped, with the count of its students; nothing for an empty one),
/// and no request fails or ends in errors for it. An SIS id that Aspire would receive changed is
/// an `unknown-section` error.
struct AspireSectionRule: Sendable {
    init() {}

    /// What a section is to Aspire.
    enum Verdict: Sendable, Equatable {
        /// Passed back as this Aspire section.
        case aspire(String)
        /// Not passed back; the row to report, if any.
        case notPassedBack(Diagnostic?)
    }

    func check(_ section: CanvasSection, students: Int, subject: ReportSubject, location: SourceLocation) -> Verdict {
        guard let sis = section.sisSectionID else {
            guard students > 0 else { return .notPassedBack(nil) }
            let who = students == 1 ? "its 1 student is" : "its \(students) students are"
            return .notPassedBack(
                .skipped(
                    .sectionNotInAspire,
                    "The Canvas section \"\(section.name)\" (\(section.id)) has no SIS section id, so it is not an Aspire section and \(who) not passed back in it (a student also in an Aspire section is passed back there). Nothing to do unless it should be one: then ask the Canvas admin to link it to its Aspire section.",
                    subject: subject, location: location, count: students
                ))
        }
        guard XMLCharacters.isExactToken(sis) else {
            let what =
                XMLCharacters.isWritable(sis) ? "a tab, a line break or two spaces in a row, which Aspire would receive changed" : "control characters, which Aspire cannot receive"
            return .notPassedBack(
                .error(
                    .unknownSection,
                    "The Canvas section \"\(section.name)\" (\(section.id)) has an SIS section id with \(what); ask the Canvas admin to correct it.",
                    subject: subject, location: location
                ))
        }
        return .aspire(sis)
    }
}
