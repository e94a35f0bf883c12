/// The Aspire categories known to a run, by term and section: what earlier exports stored in the
/// ledger, replaced per (term, section) by the exports of this run.
public struct CategoryCatalog: Sendable, Equatable {
    /// A (term, section) pair: the unit an export replaces.
    struct Key: Hashable, Sendable, Comparable {
        var termSourcedID: String
        var classSourcedID: String

        init(termSourcedID: String, classSourcedID: String) {
            self.termSourcedID = termSourcedID
            self.classSourcedID = classSourcedID
        }

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.termSourcedID, lhs.classSourcedID) < (rhs.termSourcedID, rhs.classSourcedID)
        }
    }

    private(set) var categoriesByKey: [Key: [AspireCategory]]

    public init(_ categories: [AspireCategory] = []) {
        categoriesByKey = [:]
        replace(with: categories)
    }

    /// Replaces, for every (term, section) the categories mention, what was known before.
    mutating func replace(with categories: [AspireCategory]) {
        var fresh: [Key: [AspireCategory]] = [:]
        for category in categories {
            fresh[Key(termSourcedID: category.termSourcedID, classSourcedID: category.classSourcedID), default: []].append(category)
        }
        for (key, list) in fresh {
            categoriesByKey[key] = list
        }
    }

    func categories(term: String, section: String) -> [AspireCategory] {
        categoriesByKey[Key(termSourcedID: term, classSourcedID: section)] ?? []
    }

    var allCategories: [AspireCategory] {
        categoriesByKey.keys.sorted().flatMap { categoriesByKey[$0]! }
    }
}
