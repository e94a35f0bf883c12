import Foundation

/// The fields of one category as an export states them (a CSV row or an XML `Category`), before
/// checking. Both category readers fill this and call ``makeCategory()``, so the CSV and XML
/// forms obey exactly the same rules.
struct AspireCategoryFields: Sendable, Equatable {
    var categorySourcedID: String?
    var title: String?
    var classSourcedID: String?
    var termSourcedID: String?
    var termCode: String?
    var termStartDate: String?
    var termEndDate: String?
    var schoolID: String?
    var status: String?
    var verifiedAt: String?
    var weight: String?
    var dateLastModified: String?

    init() {}

    /// Field names as the contract spells them (CSV headers are matched case-insensitively).
    static let requiredNames = [
        "categorySourcedId", "title", "classSourcedId", "termSourcedId", "termCode", "termStartDate",
        "termEndDate", "schoolId",
    ]
    static let optionalNames = ["status", "verifiedAt", "weight", "dateLastModified"]

    /// Sets a field by its contract name (case-insensitive); unknown names are ignored.
    mutating func set(_ name: String, _ value: String) {
        switch name.lowercased() {
        case "categorysourcedid": categorySourcedID = value
        case "title": title = value
        case "classsourcedid": classSourcedID = value
        case "termsourcedid": termSourcedID = value
        case "termcode": termCode = value
        case "termstartdate": termStartDate = value
        case "termenddate": termEndDate = value
        case "schoolid": schoolID = value
        case "status": status = value
        case "verifiedat": verifiedAt = value
        case "weight": weight = value
        case "datelastmodified": dateLastModified = value
        default: break
        }
    }

    /// The longest identifier accepted (the contract's "token of 1 to 60 characters").
    static let maximumIdentifierLength = AspireIdentifier.maximumLength

    /// Checks the fields and builds the category.
    /// - Throws: an ``InputFileError`` (`malformed-file`) naming the field and what is expected;
    ///   the caller adds the line.
    func makeCategory() throws -> AspireCategory {
        func required(_ value: String?, _ name: String) throws -> String {
            let trimmed = value?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !trimmed.isEmpty else {
                throw InputFileError(.malformedFile, "\(name) is blank; every category needs one. Export the categories again from Aspire.")
            }
            return trimmed
        }
        func identifier(_ value: String?, _ name: String) throws -> String {
            let text = try required(value, name)
            guard AspireIdentifier.isValid(text) else {
                throw InputFileError(
                    .malformedFile, "\(name) '\(text.prefix(70))' is not an identifier (1 to \(Self.maximumIdentifierLength) characters, no spaces or control characters).")
            }
            return text
        }
        func date(_ value: String?, _ name: String) throws -> LocalDate {
            let text = try required(value, name)
            guard let date = LocalDate(iso: text) else {
                throw InputFileError(.malformedFile, "\(name) '\(text.prefix(40))' is not a date; write it as YYYY-MM-DD.")
            }
            return date
        }
        func timestamp(_ value: String?, _ name: String) throws -> Date? {
            let text = value?.trimmingCharacters(in: .whitespaces) ?? ""
            if text.isEmpty { return nil }
            guard let instant = ISOTimestamp.parse(text) else {
                throw InputFileError(.malformedFile, "\(name) '\(text.prefix(40))' is not an ISO 8601 timestamp such as 2026-08-25T03:00:00Z.")
            }
            return instant
        }
        let categoryID = try identifier(categorySourcedID, "categorySourcedId")
        let title = try required(self.title, "title")
        let classID = try identifier(classSourcedID, "classSourcedId")
        let termID = try identifier(termSourcedID, "termSourcedId")
        let termCode = try required(self.termCode, "termCode")
        let start = try date(termStartDate, "termStartDate")
        let end = try date(termEndDate, "termEndDate")
        guard start <= end else {
            throw InputFileError(.malformedFile, "termStartDate \(start) is after termEndDate \(end).")
        }
        let school = try identifier(schoolID, "schoolId")
        let statusText = status?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let status: AspireCategory.Status
        switch statusText {
        case "", "active": status = .active
        case "tobedeleted": status = .toBeDeleted
        default:
            throw InputFileError(.malformedFile, "status '\(statusText.prefix(30))' is neither active nor tobedeleted.")
        }
        let weightText = weight?.trimmingCharacters(in: .whitespaces) ?? ""
        if !weightText.isEmpty, ExactDecimal.parse(weightText) == nil {
            throw InputFileError(.malformedFile, "weight '\(weightText.prefix(30))' is not a decimal number such as 40 or 12.5.")
        }
        return AspireCategory(
            categorySourcedID: categoryID, title: title, classSourcedID: classID, termSourcedID: termID,
            termCode: termCode, termStartDate: start, termEndDate: end, schoolID: school, status: status,
            verifiedAt: try timestamp(verifiedAt, "verifiedAt"), weight: weightText.isEmpty ? nil : weightText,
            dateLastModified: try timestamp(dateLastModified, "dateLastModified")
        )
    }
}
