/// Turns the elements (or rows) of a category export, as a reader meets them, into an
/// ``AspireCategoryExport``: carries each `Term`'s fields down to its `Category` elements, checks
/// every category through ``AspireCategoryFields``, and refuses a category stated twice.
struct CategoryExportBuilder {
    private(set) var export = AspireCategoryExport(categories: [])
    private var exportSchoolID: String?
    private var termAttributes: [(name: String, value: String)] = []
    /// Where each (term, section, category) was first stated.
    private var firstLines: [CategoryKey: Int] = [:]

    private struct CategoryKey: Hashable {
        var term: String
        var section: String
        var category: String
    }

    /// The root element: remembers the export's `schoolId`, if stated.
    mutating func startExport(attributes: [(name: String, value: String)], line: Int?) throws {
        exportSchoolID = attributes.first { $0.name == "schoolId" }?.value.trimmingWhitespace()
    }

    /// A `Term`: its fields apply to the categories that follow, until the next `Term`.
    mutating func startTerm(attributes: [(name: String, value: String)], line: Int?) throws {
        termAttributes = attributes
        if let exportSchoolID, let termSchool = attributes.first(where: { $0.name == "schoolId" })?.value.trimmingWhitespace(),
            termSchool != exportSchoolID
        {
            let term = attributes.first { $0.name == "termSourcedId" }?.value ?? ""
            throw InputFileError(
                .malformedFile,
                "Term \(term.prefix(60)) has schoolId \(termSchool.prefix(60)), but the export is for school \(exportSchoolID.prefix(60)); an export holds one school.",
                line: line)
        }
    }

    /// A `Category`: checked with its term's fields, and refused if its term, section and id
    /// were stated before.
    mutating func addCategory(attributes: [(name: String, value: String)], line: Int?) throws {
        var fields = AspireCategoryFields()
        for (name, value) in termAttributes {
            fields.set(name, value)
        }
        for (name, value) in attributes {
            fields.set(name, value)
        }
        let category: AspireCategory
        do {
            category = try fields.makeCategory()
        } catch var error as InputFileError {
            error.line = line
            throw error
        }
        let key = CategoryKey(term: category.termSourcedID, section: category.classSourcedID, category: category.categorySourcedID)
        if let first = firstLines[key] {
            throw InputFileError(
                .malformedFile,
                "Category \(category.categorySourcedID) of section \(category.classSourcedID) in term \(category.termSourcedID) is listed twice, on lines \(first) and \(line.map(String.init) ?? "?"); keep one.",
                line: line)
        }
        firstLines[key] = line ?? 0
        export.categories.append(category)
    }
}
