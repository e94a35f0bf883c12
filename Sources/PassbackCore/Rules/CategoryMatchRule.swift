extension RuleCode {
    /// The imported group matches no category of this section and term.
    static let categoryNotFound = RuleCode("category-not-found")
}

/// Rule 2, second half: the imported group matches an Aspire category of this section and term
/// (see ``CategoryMatcher``).
struct CategoryMatchRule: PassbackRule {
    init() {}
    var code: RuleCode { .categoryNotFound }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard context.group.sisSourceID != nil else { return nil }
        switch context.category {
        case .matched, .notImported:
            return nil
        case .notFound(let reason):
            let message: String
            switch reason {
            case .courseHasNoTerm:
                message = "The course has no SIS term in Canvas, so its Aspire categories cannot be found; ask the Canvas admin to set the course's term."
            case .noCategoriesForSection(let term):
                message =
                    "No Aspire categories have been imported for section \(context.sectionLabel) in term \(term); drop the Aspire category export for this section into the inbox."
            case .noMatch(let term):
                message =
                    "The assignment group \"\(context.group.name)\" (\(context.group.sisSourceID ?? "")) matches no Aspire category of section \(context.sectionLabel) in term \(term) by id or title; re-import the categories from Aspire into Canvas or move the assignment to a group that has one."
            case .ambiguousTitle(let count):
                message =
                    "\(count) Aspire categories of section \(context.sectionLabel) are titled \"\(context.group.name)\" and none has the group's id \(context.group.sisSourceID ?? ""); re-import the categories from Aspire so the group carries the right id."
            case .toBeDeleted(let id):
                message = "The Aspire category \(id) of section \(context.sectionLabel) is marked to be deleted; move the assignment to an active category."
            }
            return context.error(.categoryNotFound, message)
        }
    }
}
