extension RuleCode {
    /// A student without an SIS User ID: Aspire cannot match the grades.
    static let studentWithoutSISID = RuleCode("student-without-sis-id")
    /// Canvas's Test Student (Student View): never passed back.
    static let testStudent = RuleCode("test-student")
}

/// Spec section 4: a student is passed back only with an SIS User ID; the Test Student is
/// skipped.
struct StudentIdentityRule: Sendable {
    init() {}

    /// - Returns: the row for the student, or `nil` when their grades may be sent.
    func check(_ student: GradebookStudent, subject: ReportSubject, location: SourceLocation) -> Diagnostic? {
        if student.isTestStudent {
            return .skipped(.testStudent, "Skipped Canvas's Test Student (Student View); its grades are never passed back.", subject: subject, location: location)
        }
        if let sis = student.sisUserID {
            if !XMLCharacters.isWritable(sis) {
                return .error(
                    .studentWithoutSISID,
                    "The student on this gradebook line has an SIS User ID with control characters, which Aspire cannot receive; ask the registrar to correct it in Canvas, then export the gradebook again.",
                    subject: subject, location: location
                )
            }
            if !XMLCharacters.isExactToken(sis) {
                return .error(
                    .studentWithoutSISID,
                    "The student on this gradebook line has an SIS User ID with a tab, a line break or two spaces in a row, which Aspire would receive changed (as one space); ask the registrar to correct it in Canvas, then export the gradebook again. This student's grades are not sent; the others' are.",
                    subject: subject, location: location
                )
            }
            return nil
        }
        return .error(
            .studentWithoutSISID,
            "The student on this gradebook line has no SIS User ID in Canvas, so Aspire cannot match the grades; ask the registrar to add it, then export the gradebook again.",
            subject: subject, location: location
        )
    }
}
