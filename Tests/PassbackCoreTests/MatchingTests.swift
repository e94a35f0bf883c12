import Testing

@testable import PassbackCore

@Suite struct CategoryMatcherTests {
    let catalog = CategoryCatalog([
        Make.category("GCT1", title: "Homework"),
        Make.category("GCT2", title: "Tests"),
        Make.category("GCT3", title: "Quizzes", status: .toBeDeleted),
        Make.category("GCT4", title: "Labs"), Make.category("GCT5", title: " labs "),
        Make.category("GCT9", title: "Homework", section: "OTHER"),
    ])

    func match(_ sis: String?, _ name: String, term: String? = "GTM00000000Q1", section: String = "MST0000007Xy12") -> CategoryMatch {
        CategoryMatcher(catalog: catalog).match(group: Make.group(sis: sis, name: name, []), termSourcedID: term, classSourcedID: section)
    }

    @Test func byIDFirst() {
        #expect(match("GCT2", "Homework").matched?.categorySourcedID == "GCT2")
    }

    @Test func thenByTrimmedCaseInsensitiveTitle() {
        #expect(match("GCT-ELSEWHERE", "  homework ").matched?.categorySourcedID == "GCT1")
        #expect(match("GCT-ELSEWHERE", "Homework", section: "OTHER").matched?.categorySourcedID == "GCT9")
    }

    @Test func failures() {
        #expect(match(nil, "Homework") == .notImported)
        #expect(match("X", "Homework", term: nil) == .notFound(.courseHasNoTerm))
        #expect(match("X", "Homework", term: "GTM-OTHER") == .notFound(.noCategoriesForSection(term: "GTM-OTHER")))
        #expect(match("X", "Projects") == .notFound(.noMatch(term: "GTM00000000Q1")))
        #expect(match("X", "Labs") == .notFound(.ambiguousTitle(count: 2)))
        #expect(match("GCT3", "Quizzes") == .notFound(.toBeDeleted(categorySourcedID: "GCT3")))
        #expect(match("X", "quizzes") == .notFound(.toBeDeleted(categorySourcedID: "GCT3")))
    }

    @Test func aNewerExportReplacesPerTermAndSection() {
        var catalog = self.catalog
        catalog.replace(with: [Make.category("GCT7", title: "Projects")])
        #expect(catalog.categories(term: "GTM00000000Q1", section: "MST0000007Xy12").map(\.categorySourcedID) == ["GCT7"])
        #expect(catalog.categories(term: "GTM00000000Q1", section: "OTHER").map(\.categorySourcedID) == ["GCT9"])
    }
}

@Suite struct SectionNameListTests {
    let names = SectionNameList(knownNames: ["Period 1", "Period 2", "Period 5", "Math and Science", "A, B"])

    @Test(arguments: [
        ("Period 1", ["Period 1"]),
        ("Period 2 and Period 5", ["Period 2", "Period 5"]),
        ("Period 1, Period 2, and Period 5", ["Period 1", "Period 2", "Period 5"]),
        ("Math and Science", ["Math and Science"]),
        ("Math and Science and Period 1", ["Math and Science", "Period 1"]),
        ("A, B and Period 1", ["A, B", "Period 1"]),
    ])
    func splits(text: String, expected: [String]) {
        #expect(names.split(text) == expected)
    }

    @Test(arguments: ["Period 9", "Period 1 and Period 9", "", "Period 1 and"])
    func refusesUnknownNames(text: String) {
        #expect(names.split(text) == nil)
    }
}
