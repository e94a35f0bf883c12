import Mustache

/// The staff pages' markup: Mustache templates (hummingbird-project/swift-mustache) in which
/// every value goes through `{{name}}`, so it is escaped on its way in, and nothing from the
/// inputs is ever markup. No template uses `{{{name}}}`, `{{&name}}` or a lambda (tests check).
///
/// Escaping is ``StaffPageEscaping``, registered as the content type `PASSBACK_HTML` that each
/// template names first: the library's own HTML escaping looks at whole characters (grapheme
/// clusters), so a quote followed by a combining mark (`"\u{301}`) is one character that is not a
/// quote and went through unescaped, out of an attribute value.
enum StaffPageTemplates {
    /// The templates, parsed once (they are constants of the program: a failure is a bug the
    /// tests catch).
    static let library: MustacheLibrary = {
        MustacheContentTypes.register(StaffPageEscaping(), named: StaffPageEscaping.name)
        var library = MustacheLibrary()
        do {
            try library.register(head, named: "head")
            try library.register(style, named: "style")
            try library.register(trend, named: "trend")
            try library.register(runHead, named: "runHead")
            try library.register(course, named: "course")
            try library.register(section, named: "section")
            try library.register(sectionEnd, named: "sectionEnd")
            for head in FixRowHead.allCases { try library.register(fixRowStart(head), named: head.templateName) }
            for form in ProblemCellsForm.all { try library.register(problemCells(form), named: form.templateName) }
            try library.register(fixesEnd, named: "fixesEnd")
            try library.register(runTail, named: "runTail")
            try library.register(index, named: "index")
        } catch {
            fatalError("the staff page templates do not parse: \(error)")
        }
        return library
    }()

    /// The templates of a course of "what to fix", parsed once (in ``library``), for rendering
    /// its rows without looking each template up by name.
    struct Fixes: Sendable {
        let course: MustacheTemplate
        let section: MustacheTemplate
        let sectionEnd: MustacheTemplate
        let rowStarts: [FixRowHead: MustacheTemplate]
        let problemCells: [ProblemCellsForm: MustacheTemplate]
    }

    static let fixes: Fixes = {
        func parsed(_ name: String) -> MustacheTemplate {
            guard let template = library.getTemplate(named: name) else { fatalError("no staff page template \(name)") }
            return template
        }
        return Fixes(
            course: parsed("course"), section: parsed("section"), sectionEnd: parsed("sectionEnd"),
            rowStarts: Dictionary(uniqueKeysWithValues: FixRowHead.allCases.map { ($0, parsed($0.templateName)) }),
            problemCells: Dictionary(uniqueKeysWithValues: ProblemCellsForm.all.map { ($0, parsed($0.templateName)) }))
    }()

    /// Every template's text, for the tests that check how values are inserted.
    static var allTexts: [String] {
        [head, style, trend, runHead, course, section, sectionEnd] + FixRowHead.allCases.map(fixRowStart) + ProblemCellsForm.all.map(problemCells) + [fixesEnd, runTail, index]
    }

    static let pragma = "{{% CONTENT_TYPE: \(StaffPageEscaping.name)}}"

    /// What every page's `<head>` says first: its encoding, and a policy under which nothing is
    /// fetched or run even if something slipped past the escaping (one policy for every page).
    static let head =
        pragma + """
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="referrer" content="no-referrer">

            """

    /// Self-contained styles: system fonts, no file fetched; readable on paper (no colour needed:
    /// every status is a word) and at any width.
    static let style =
        pragma + """
            <style>
            :root { color-scheme: light; }
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 72rem; padding: 1rem 1.25rem 3rem; }
            h1 { font-size: 1.6rem; margin: 0.3rem 0 0.5rem; }
            h2 { font-size: 1.3rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 2px solid #d0d4da; }
            h3 { font-size: 1.1rem; margin: 1.6rem 0 0.3rem; }
            h4 { font-size: 1rem; margin: 1rem 0 0.3rem; }
            a { color: #0b4f8a; }
            a:focus, summary:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
            code { font: 0.92em ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; overflow-wrap: anywhere; }
            table { border-collapse: collapse; margin: 0.4rem 0 1rem; width: 100%; }
            caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
            th, td { border: 1px solid #c9ced6; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
            thead th { background: #eef1f5; overflow-wrap: normal; }  /* headers wrap between words only ("Outco me") */
            table.counts { width: auto; min-width: min(44rem, 100%); }
            table.fixes { table-layout: fixed; }
            table.fixes thead th:nth-child(1) { width: 22%; }
            table.fixes thead th:nth-child(2) { width: 19%; }
            table.fixes thead th:nth-child(4) { width: 17%; }
            table.rejected { table-layout: fixed; }
            table.rejected thead th:nth-child(1) { width: 24%; }
            table.rejected thead th:nth-child(2) { width: 16%; }
            table.rejected thead th:nth-child(4) { width: 26%; }
            table.fixes tr.section th { background: #f6f7f9; font-weight: 600; }
            table.fixes tbody.course th { background: #e6ebf1; font-size: 1.08rem; border-top: 3px solid #4a5564; padding-top: 0.5rem; }
            table.fixes tbody.course .meta { display: block; font-size: 0.9rem; font-weight: 400; }
            td.error, td.warning, td.skipped, td.success, td.other { border-left: 5px solid; }
            td.error { border-left-color: #b3261e; }
            td.warning { border-left-color: #a86b00; }
            td.success { border-left-color: #1e7b3a; }
            td.skipped, td.other { border-left-color: #6b7785; }
            .nowrap { white-space: nowrap; overflow-wrap: normal; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            .crumbs { margin: 0; font-size: 0.95rem; }
            .verdict { font-size: 1.1rem; padding: 0.6rem 0.8rem; border-left: 6px solid; margin: 0.6rem 0 1rem; }
            .verdict-ok { border-color: #1e7b3a; background: #e8f5ec; }
            .verdict-errors { border-color: #b3261e; background: #fcebea; }
            .verdict-unfinished { border-color: #8a5a00; background: #fff4dc; }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
            dl.facts dt { font-weight: 600; }
            dl.facts dd { margin: 0; }
            ul.tiles { list-style: none; display: flex; flex-wrap: wrap; gap: 0.6rem; padding: 0; margin: 0.6rem 0 1rem; }
            ul.tiles li { border: 1px solid #c9ced6; border-top: 5px solid #6b7785; padding: 0.4rem 0.8rem; min-width: 8.5rem; }
            ul.tiles li.sent, ul.tiles li.success { border-top-color: #1e7b3a; }
            ul.tiles li.error { border-top-color: #b3261e; }
            ul.tiles li.warning, ul.tiles li.held { border-top-color: #a86b00; }
            .tile-value { display: block; font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; }
            .badge { display: inline-block; font-size: 0.85em; font-weight: 700; padding: 0 0.4em; border-radius: 3px; border: 1px solid; white-space: nowrap; }
            .badge-success { color: #14592a; background: #e8f5ec; border-color: #1e7b3a; }
            .badge-error { color: #8c1d18; background: #fcebea; border-color: #b3261e; }
            .badge-warning { color: #6b4500; background: #fff4dc; border-color: #a86b00; }
            .badge-skipped, .badge-other { color: #3b4350; background: #f1f3f5; border-color: #6b7785; }
            .meta { color: #3b4350; margin: 0.2rem 0 0.4rem; }
            .ids { font: 0.9em ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; margin: 0.3rem 0; }
            details summary { cursor: pointer; color: #0b4f8a; }
            .note { color: #3b4350; }
            .chart { max-width: 100%; height: auto; }
            .chart .sent { fill: #2f6690; }
            .chart .errors { fill: #b3261e; }
            .chart .rejected { fill: #8a5a00; }
            .chart .current { stroke: #111; stroke-width: 1.5; }
            .chart text { font: 12px system-ui, "Liberation Sans", Arial, sans-serif; fill: #1b1b1b; }
            .chart .title { font-weight: 700; font-size: 13px; }
            .chart .axis { stroke: #6b7785; stroke-width: 1; }
            .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
            footer { margin-top: 2.5rem; color: #3b4350; font-size: 0.9rem; }
            @media print {
              body { max-width: none; padding: 0; font-size: 11pt; }
              .crumbs, .skip { display: none; }
              a { color: inherit; text-decoration: none; }
              h2, h3, h4 { break-after: avoid; }
              tr, .tiles li { break-inside: avoid; }
            }
            </style>
            """

    /// The trend of the last runs: the chart and, for whoever cannot see it, its numbers.
    static let trend =
        pragma + """
            <figure>
            <svg class="chart" role="img" aria-labelledby="trend-title trend-desc" width="{{chartWidth}}" height="{{chartHeight}}" viewBox="0 0 {{chartWidth}} {{chartHeight}}" xmlns="http://www.w3.org/2000/svg">
            <title id="trend-title">Grades sent, errors and rejected files per run</title>
            <desc id="trend-desc">{{summary}}</desc>
            {{#panels}}
            <text class="title" x="0" y="{{titleY}}">{{title}}: {{latest}}</text>
            <text x="{{axisLeft}}" y="{{scaleTopY}}" text-anchor="end">{{scaleTop}}</text>
            <text x="{{axisLeft}}" y="{{scaleBaseY}}" text-anchor="end">0</text>
            <line class="axis" x1="{{axisLeft}}" x2="{{axisRight}}" y1="{{baseY}}" y2="{{baseY}}"></line>
            {{#bars}}
            <rect class="{{style}}{{#current}} current{{/current}}" x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}"><title>{{label}}</title></rect>
            {{/bars}}
            {{/panels}}
            {{#ticks}}
            <text x="{{x}}" y="{{axisY}}" text-anchor="{{anchor}}">{{text}}</text>
            {{/ticks}}
            </svg>
            <figcaption>{{summary}}</figcaption>
            </figure>
            <details>
            <summary>The numbers of the chart</summary>
            <table>
            <caption>Per run, newest first</caption>
            <thead><tr><th scope="col">Run</th><th scope="col">Clock</th><th scope="col" class="n">Grades sent</th><th scope="col" class="n">Error rows</th><th scope="col" class="n">Rejected files</th></tr></thead>
            <tbody>
            {{#trendRows}}
            <tr><th scope="row">{{#hasPage}}<a href="{{href}}">{{runID}}</a>{{/hasPage}}{{^hasPage}}{{runID}}{{/hasPage}}</th><td>{{date}}</td><td class="n">{{sent}}</td><td class="n">{{errors}}</td><td class="n">{{rejected}}</td></tr>
            {{/trendRows}}
            </tbody>
            </table>
            </details>
            """

    /// The top of a run's page, down to the table of courses of "what to fix" (``courses`` and
    /// ``runTail`` follow).
    static let runHead =
        pragma + """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            {{> head}}
            <title>Passback run {{runID}}: {{verdictWord}}</title>
            {{> style}}
            </head>
            <body>
            <header>
            <p class="crumbs"><a href="index.html">All runs</a></p>
            <h1>Passback run {{runID}}</h1>
            <p class="verdict verdict-{{verdictStyle}}"><strong>{{verdictWord}}.</strong> {{verdictText}}</p>
            <nav aria-label="On this page"><p>On this page: <a href="#run">The run</a> · <a href="#counts">Counts</a> · <a href="#fix">What to fix</a> · <a href="#rejected">Rejected files</a> · <a href="#held">Grades held</a> · <a href="#trend">The last runs</a></p></nav>
            </header>
            <main>
            <section aria-labelledby="run">
            <h2 id="run">The run</h2>
            <dl class="facts">
            {{#facts}}
            <dt>{{term}}</dt><dd>{{detail}}</dd>
            {{/facts}}
            </dl>
            </section>

            <section aria-labelledby="counts">
            <h2 id="counts">Counts</h2>
            <ul class="tiles">
            {{#tiles}}
            <li class="{{tileStyle}}"><span class="tile-value">{{tileValue}}</span> {{tileLabel}}</li>
            {{/tiles}}
            </ul>
            <table class="counts">
            <caption>Report rows by status (the CSV has one row per line item sent and per problem)</caption>
            <thead><tr><th scope="col">Status</th><th scope="col">What it means</th><th scope="col" class="n">Rows</th></tr></thead>
            <tbody>
            {{#statusRows}}
            <tr><th scope="row"><span class="badge badge-{{statusStyle}}">{{status}}</span></th><td>{{meaning}}</td><td class="n">{{rows}}</td></tr>
            {{/statusRows}}
            </tbody>
            <tfoot><tr><th scope="row">all rows</th><td></td><td class="n">{{rowTotal}}</td></tr></tfoot>
            </table>
            {{#hasRules}}
            <table class="counts">
            <caption>Report rows by rule</caption>
            <thead><tr><th scope="col">Rule</th><th scope="col">Status</th><th scope="col" class="n">Rows</th><th scope="col" class="n">Courses</th><th scope="col" class="n">Count column</th></tr></thead>
            <tbody>
            {{#ruleRows}}
            <tr><th scope="row"><code>{{rule}}</code></th><td><span class="badge badge-{{statusStyle}}">{{status}}</span></td><td class="n">{{rows}}</td><td class="n">{{courses}}</td><td class="n">{{counted}}</td></tr>
            {{/ruleRows}}
            </tbody>
            </table>
            {{/hasRules}}
            </section>

            <section aria-labelledby="fix">
            <h2 id="fix">What to fix</h2>
            {{^hasFixes}}<p>Nothing to fix: no error or warning about a course.</p>{{/hasFixes}}
            {{#hasFixes}}
            <p>{{fixIntro}}</p>
            <table class="counts">
            <caption>{{courseIndexCaption}}</caption>
            <thead><tr><th scope="col">Course</th><th scope="col" class="n">Errors</th><th scope="col" class="n">Warnings</th><th scope="col" class="n">Grades sent</th></tr></thead>
            <tbody>
            {{#courseIndex}}
            <tr><th scope="row"><a href="#course-{{courseNumber}}">{{courseLabel}}</a></th><td class="n">{{courseErrors}}</td><td class="n">{{courseWarnings}}</td><td class="n">{{courseGradesSent}}</td></tr>
            {{/courseIndex}}
            </tbody>
            </table>
            {{#courseIndexRest}}<p class="note">{{.}}</p>{{/courseIndexRest}}
            <table class="fixes">
            <caption>Problems by course, Aspire section and assignment</caption>
            <thead><tr><th scope="col">Assignment</th><th scope="col">Problem</th><th scope="col">What to do</th><th scope="col">Who</th></tr></thead>
            {{/hasFixes}}

            """

    /// The courses of "what to fix", between ``runHead`` and ``fixesEnd``, in the table the one
    /// opens and the other closes: per course a row group that names it (the target of the links
    /// above), then a row group per Aspire section (sections with the same problems together):
    /// ``section``, a row per problem, ``sectionEnd``. A row is the start of the row, which names
    /// the assignment on its first row (``fixRowStart(_:)``), then the problem's cells
    /// (``problemCells(_:)``).
    ///
    /// A course is these small templates rather than one with sections for its sections and
    /// rows: a night of a 2,000-course district has thousands of rows, and swift-mustache's time
    /// goes into each tag it fills (it splits the tag's name and casts the values on its context
    /// stack to its protocols at run time, several times per tag: some 14,000 instructions under
    /// callgrind). So the form of a row's parts (whether it heads its assignment; error or
    /// warning; whether it has ids to show) picks a template in which only the row's own values
    /// are tags, the status being markup; and a problem's cells, which repeat across a night (the
    /// same rule and message for many assignments), are rendered once per page for each text
    /// they show (``StaffPage``). Every value still goes in through `{{name}}`; the page is these
    /// templates' output one after the other.
    static let course =
        pragma + """
            <tbody id="course-{{courseNumber}}" class="course"><tr><th colspan="4" scope="rowgroup">Course {{courseLabel}}<span class="meta">{{courseMeta}}</span></th></tr></tbody>

            """

    /// The start of a section's row group in "what to fix": the row that names the section.
    static let section =
        pragma + """
            <tbody><tr class="section"><th colspan="4" scope="rowgroup">{{sectionLabel}}</th></tr>

            """

    /// The end of a section's row group.
    static let sectionEnd =
        pragma + """
            </tbody>

            """

    /// The start of a row of "what to fix": the assignment's name heads its first row (and spans
    /// its others).
    static func fixRowStart(_ head: FixRowHead) -> String {
        switch head {
        case .none: pragma + "<tr>"
        case .single: pragma + #"<tr><th scope="row">{{assignmentLabel}}</th>"#
        case .spanning: pragma + #"<tr><th scope="row" rowspan="{{span}}">{{assignmentLabel}}</th>"#
        }
    }

    /// The rest of a row of "what to fix": the problem (its status as a word and a colour), the
    /// CSV's message and whom it concerns, with the student ids (or lines) on demand.
    ///
    /// The text is made from the program's constants only (the status words of
    /// ``ProblemCellsForm``), never from a value: values are the tags.
    static func problemCells(_ form: ProblemCellsForm) -> String {
        let status = form.status.rawValue
        let ids = form.hasIDs ? #"<details><summary>Show {{idsLabel}}</summary><p class="ids">{{ids}}</p></details>"# : ""
        return pragma + #"<td class="\#(status)">\#(status): {{rule}}</td><td>{{message}}</td><td>{{who}}\#(ids)</td></tr>"# + "\n"
    }

    /// The end of "what to fix", after its courses: the table closed, and what it leaves to the
    /// CSV (known once the courses are rendered and counted against the page's size).
    static let fixesEnd =
        pragma + """
            {{#hasFixes}}</table>{{/hasFixes}}
            {{#fixesLeftOut}}<p class="note">{{.}}</p>{{/fixesLeftOut}}
            </section>


            """

    /// The rest of a run's page, after "what to fix".
    static let runTail =
        pragma + """
            <section aria-labelledby="rejected">
            <h2 id="rejected">Rejected files</h2>
            {{^hasRejected}}<p>No file was rejected.</p>{{/hasRejected}}
            {{#hasRejected}}
            <p>{{rejectedIntro}}</p>
            <table class="rejected">
            <caption>Files moved to quarantine, each with a reason file beside it</caption>
            <thead><tr><th scope="col">File</th><th scope="col">Rule</th><th scope="col">Reason</th><th scope="col">Where it is now</th></tr></thead>
            <tbody>
            {{#rejectedFiles}}
            <tr><th scope="row"><code>{{file}}</code>{{#line}}<br>line {{.}}{{/line}}</th><td class="error">error: <code>{{rule}}</code></td><td>{{message}}{{#partner}}<br>Held with it: <code>{{.}}</code>, the other file of the course.{{/partner}}</td><td>in <code>{{quarantineFolder}}</code><br>reason: <code>{{reasonName}}</code></td></tr>
            {{/rejectedFiles}}
            </tbody>
            </table>
            {{/hasRejected}}
            </section>

            <section aria-labelledby="held">
            <h2 id="held">Grades held</h2>
            {{^hasHeld}}<p>No grade was held back (a category not verified, a grade not posted, a change outside the window).</p>{{/hasHeld}}
            {{#hasHeld}}
            <p>{{heldIntro}}</p>
            {{#heldRules}}
            <h3>{{heldTitle}} <code>{{heldRule}}</code></h3>
            <p>{{heldSummary}}</p>
            <table>
            <caption>{{heldTitle}}, by course</caption>
            <thead><tr><th scope="col">Course</th><th scope="col" class="n">Sections</th><th scope="col" class="n">Rows</th><th scope="col" class="n">Grades held</th><th scope="col">Assignments</th></tr></thead>
            <tbody>
            {{#heldCourses}}
            <tr><th scope="row">{{heldCourseLabel}}</th><td class="n">{{heldSections}}</td><td class="n">{{heldRows}}</td><td class="n">{{heldGrades}}</td><td><details><summary>Show {{heldItemsLabel}}</summary><ul>{{#heldItems}}<li>{{.}}</li>{{/heldItems}}</ul></details></td></tr>
            {{/heldCourses}}
            </tbody>
            </table>
            {{/heldRules}}
            {{/hasHeld}}
            </section>

            <section aria-labelledby="trend">
            <h2 id="trend">The last runs</h2>
            {{#trend}}{{> trend}}{{/trend}}
            </section>
            </main>
            <footer>
            <p>{{footer}}</p>
            </footer>
            </body>
            </html>

            """

    /// `reports/index.html`: every run, newest first.
    static let index =
        pragma + """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            {{> head}}
            <title>Passback runs</title>
            {{> style}}
            </head>
            <body>
            <header>
            <h1>Passback runs</h1>
            <p>{{indexIntro}}</p>
            </header>
            <main>
            <section aria-labelledby="trend">
            <h2 id="trend">The last runs</h2>
            {{#trend}}{{> trend}}{{/trend}}
            </section>
            <section aria-labelledby="runs">
            <h2 id="runs">Every run</h2>
            <table>
            <caption>Runs, newest first; each links to its page</caption>
            <thead><tr><th scope="col">Run</th><th scope="col">Clock</th><th scope="col">Mode</th><th scope="col">Outcome</th><th scope="col" class="n">Grades sent</th><th scope="col" class="n">Errors</th><th scope="col" class="n">Warnings</th><th scope="col" class="n">Skipped</th><th scope="col" class="n">Files claimed</th><th scope="col" class="n">Files rejected</th></tr></thead>
            <tbody>
            {{#runs}}
            <tr><th scope="row" class="nowrap">{{#hasPage}}<a href="{{href}}">{{runID}}</a>{{/hasPage}}{{^hasPage}}{{runID}}{{/hasPage}}</th><td>{{date}}</td><td class="nowrap">{{mode}}</td><td class="nowrap"><span class="badge badge-{{outcomeStyle}}">{{outcome}}</span></td><td class="n">{{sent}}</td><td class="n">{{errors}}</td><td class="n">{{warnings}}</td><td class="n">{{skipped}}</td><td class="n">{{claimed}}</td><td class="n">{{rejected}}</td></tr>
            {{/runs}}
            </tbody>
            </table>
            </section>
            </main>
            <footer>
            <p>{{footer}}</p>
            </footer>
            </body>
            </html>

            """
}

/// Whether a row of "what to fix" names its assignment (``StaffPageTemplates/fixRowStart(_:)``):
/// not (a later row of the same assignment), in a cell of its own, or in a cell that spans the
/// assignment's other rows.
enum FixRowHead: String, CaseIterable, Hashable, Sendable {
    case none, single, spanning

    var templateName: String { "fixRowStart-\(rawValue)" }
}

/// The forms of a problem's cells in "what to fix" (``StaffPageTemplates/problemCells(_:)``),
/// each a template of its own.
struct ProblemCellsForm: Hashable, Sendable {
    /// The statuses of the rows "what to fix" lists (``StaffReportDigest`` keeps no other there).
    enum Status: String, CaseIterable, Sendable {
        case error, warning
    }

    var status: Status
    var hasIDs: Bool

    static let all: [ProblemCellsForm] = Status.allCases.flatMap { status in [false, true].map { ProblemCellsForm(status: status, hasIDs: $0) } }

    var templateName: String { "problemCells-\(status.rawValue)\(hasIDs ? "-ids" : "")" }
}
