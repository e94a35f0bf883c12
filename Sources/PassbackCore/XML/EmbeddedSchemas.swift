/// The project's two XML schemas, compiled into the binary so an installed `passback` needs no
/// files beside it. SwiftPM embeds the files of `schemas/` themselves (`.embedInCode` in
/// `Package.swift`, through the link `Sources/PassbackCore/Schemas`), so there is one copy to
/// edit and nothing to paste.
enum EmbeddedSchemas {
    /// `schemas/aspire-passback-1.xsd`: the passback XML the project writes (spec section 5.1).
    static var passback: String { String(decoding: PackageResources.aspire_passback_1_xsd, as: UTF8.self) }

    /// `schemas/aspire-categories-1.xsd`: the category export XML the project reads (spec
    /// section 2.1).
    static var categories: String { String(decoding: PackageResources.aspire_categories_1_xsd, as: UTF8.self) }
}
