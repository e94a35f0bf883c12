import Foundation

/// The outcome of matching an assignment group to an Aspire category of one section and term.
enum CategoryMatch: Sendable, Equatable {
    /// The group has no SIS source id: it was made in Canvas.
    case notImported
    case matched(AspireCategory)
    case notFound(CategoryMatchFailure)

    var matched: AspireCategory? {
        if case .matched(let category) = self { return category }
        return nil
    }
}

/// Why an imported group found no category, so the message can say what to do.
enum CategoryMatchFailure: Sendable, Equatable {
    case courseHasNoTerm
    case noCategoriesForSection(term: String)
    case noMatch(term: String)
    case ambiguousTitle(count: Int)
    case toBeDeleted(categorySourcedID: String)
}

/// Matches an imported assignment group to a category of one Aspire section and term: by
/// `categorySourcedId` = the group's `sis_source_id`, else by title (trimmed, case-insensitive),
/// as spec section 3 rule 2 says. Categories marked `tobedeleted` never match.
package struct CategoryMatcher: Sendable {
    var catalog: CategoryCatalog

    package init(catalog: CategoryCatalog) {
        self.catalog = catalog
    }

    func match(group: CanvasAssignmentGroup, termSourcedID: String?, classSourcedID: String) -> CategoryMatch {
        guard let sourceID = group.sisSourceID else { return .notImported }
        guard let term = termSourcedID, XMLCharacters.isWritable(term) else { return .notFound(.courseHasNoTerm) }
        let candidates = catalog.categories(term: term, section: classSourcedID)
        guard !candidates.isEmpty else { return .notFound(.noCategoriesForSection(term: term)) }
        if let byID = candidates.first(where: { $0.categorySourcedID == sourceID }) {
            return byID.status == .active ? .matched(byID) : .notFound(.toBeDeleted(categorySourcedID: byID.categorySourcedID))
        }
        let title = Self.normalizedTitle(group.name)
        let byTitle = candidates.filter { Self.normalizedTitle($0.title) == title }
        let active = byTitle.filter { $0.status == .active }
        switch active.count {
        case 1: return .matched(active[0])
        case 0:
            if let deleted = byTitle.first { return .notFound(.toBeDeleted(categorySourcedID: deleted.categorySourcedID)) }
            return .notFound(.noMatch(term: term))
        default: return .notFound(.ambiguousTitle(count: active.count))
        }
    }

    /// Trimmed and case-folded, as titles are compared.
    static func normalizedTitle(_ title: String) -> String {
        title.trimmedOfWhitespacesAndNewlines.lowercased()
    }
}
