extension RuleCode {
    /// Every code the project emits, in the order of the README's tables. Codes are declared
    /// beside their rule or reader; `RuleCodeTests` checks that this list names every declaration
    /// in the sources and every code of the README's rule tables, so none can be added in one
    /// place and forgotten in another.
    static let all: [RuleCode] = [
        // The passback rules (spec section 3).
        .notSetToSync, .nameTooLong, .categoryNotImported, .categoryNotFound, .categoryPendingVerification,
        .courseUnpublished, .assignmentUnpublished, .differentiated, .noDueDate, .dueDateDiffersInSection,
        .dueDateOutsideTerm,
        // Score cells, students, sections and files (sections 4 and 6), then the project's own.
        .invalidScore, .extraCredit, .studentWithoutSISID, .testStudent, .unknownSection, .ambiguousSection,
        .sectionNotInAspire, .gradeNotPosted, .outsideWindow,
        .malformedFile, .incompleteBundle, .unknownFile, .duplicateFile, .tooLarge,
        .bundleMismatch, .superseded, .invalidOutput, .stoppedTwice, .damagedHistory,
    ]
}
