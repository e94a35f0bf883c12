extension RuleCode {
    /// Grades the teacher has not posted yet (students cannot see them): kept back.
    static let gradeNotPosted = RuleCode("grade-not-posted")
}

/// Spec 2.2 (v2): a grade the student cannot see in Canvas yet does not go to Aspire, whose
/// parent portal would show it first. Canvas sets a submission's `posted_at` when the grade is
/// posted (at once under automatic posting; when the teacher posts, under manual posting, which
/// the gradebook's posting row shows as `Manual Posting`), so a grade whose submission says
/// `posted_at: null` is not posted. It is kept back (`grade-not-posted`, skipped, one row per
/// assignment and section with a count) and sent by the first run after it is posted, however
/// old; the setting `send_unposted_grades = true` sends such grades all the same. A submission
/// without `posted_at` (an older bundle) holds nothing back.
struct PostedGradeRule: Sendable {
    var sendUnpostedGrades: Bool

    init(sendUnpostedGrades: Bool) {
        self.sendUnpostedGrades = sendUnpostedGrades
    }

    /// Whether a grade with this submission is kept back.
    func holds(_ submission: CanvasSubmission?) -> Bool {
        !sendUnpostedGrades && submission?.posting == .notPosted
    }

    /// The row for the grades of one assignment in one section kept back.
    func row(count: Int, context: RuleContext) -> Diagnostic {
        let text =
            count == 1
            ? "Held: 1 grade is not posted to students in Canvas yet; it is sent by the first run after the teacher posts it."
            : "Held: \(count) grades are not posted to students in Canvas yet; they are sent by the first run after the teacher posts them."
        return .skipped(
            .gradeNotPosted,
            text,
            subject: context.subject, location: context.location, count: count
        )
    }
}
