/// The project's two XML schemas, compiled into the binary so an installed `passback` needs no
/// files beside it.
///
/// Each literal is byte-for-byte the file in `schemas/` (a test checks it): edit the file, then
/// paste it here between the delimiters.
enum EmbeddedSchemas {
    /// `schemas/aspire-passback-1.xsd`: the passback XML the project writes (spec section 5.1).
    static let passback: String = #"""
<?xml version="1.0" encoding="UTF-8"?>
<!--
  Aspire grade passback, version 1 (the project's contract, section 5.1).

  One file per Aspire section per run. Every file the project publishes in outbox/ is valid
  against this schema; the project validates it with libxml2 before publishing.

  What the schema cannot say (XSD 1.0 has no co-occurrence constraints), and the writer
  guarantees instead:
  - a Result with status "active" carries ScoreStatus and ScoreDate; one with status
    "tobedeleted" carries only StudentSourcedId;
  - a Result whose ScoreStatus is "exempt" carries no Score;
  - a Result's sourcedId begins with its LineItem's sourcedId.
-->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:ap="urn:aspire-passback:1"
           targetNamespace="urn:aspire-passback:1"
           elementFormDefault="qualified"
           attributeFormDefault="unqualified">

  <xs:annotation>
    <xs:documentation>
      Grades passed back from Canvas LMS to the Aspire SIS, in OneRoster 1.1 terms: line items
      (Canvas assignments) and results (one student's grade for a line item), grouped by the
      Aspire section (class) they belong to. Ids are deterministic, so sending a file twice
      updates and never duplicates.
    </xs:documentation>
  </xs:annotation>

  <!-- Simple types -->

  <xs:simpleType name="NonEmptyToken">
    <xs:annotation>
      <xs:documentation>An identifier: at least one character, surrounding whitespace collapsed.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:minLength value="1"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="AspireIdentifier">
    <xs:annotation>
      <xs:documentation>An Aspire sourcedId: 1 to 60 characters without spaces, e.g. GCT0000001AbCd.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:minLength value="1"/>
      <xs:maxLength value="60"/>
      <xs:pattern value="\S+"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="CanvasIdentifier">
    <xs:annotation>
      <xs:documentation>A Canvas numeric id, e.g. 4242.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:pattern value="[0-9]+"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="LineItemSourcedId">
    <xs:annotation>
      <xs:documentation>canvas-&lt;Canvas assignment id&gt;, e.g. canvas-1001.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:pattern value="canvas-[0-9]+"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ResultSourcedId">
    <xs:annotation>
      <xs:documentation>canvas-&lt;Canvas assignment id&gt;:&lt;student SIS id&gt;, e.g. canvas-1001:604863.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:pattern value="canvas-[0-9]+:.+"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Status">
    <xs:annotation>
      <xs:documentation>OneRoster status: active (create or update) or tobedeleted (delete what was sent before).</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:enumeration value="active"/>
      <xs:enumeration value="tobedeleted"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Mode">
    <xs:annotation>
      <xs:documentation>incremental: grades changed since the last passback; bulk: every current grade.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:enumeration value="incremental"/>
      <xs:enumeration value="bulk"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ScoreStatus">
    <xs:annotation>
      <xs:documentation>OneRoster 1.1 score status.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="exempt"/>
      <xs:enumeration value="fully graded"/>
      <xs:enumeration value="not submitted"/>
      <xs:enumeration value="partially graded"/>
      <xs:enumeration value="submitted"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="PlainDecimal">
    <xs:annotation>
      <xs:documentation>
        A non-negative decimal in plain notation: digits, optionally a point and more digits
        (9, 8.5, 0.25). No sign, no exponent, no leading or trailing point.
      </xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:decimal">
      <xs:pattern value="[0-9]+(\.[0-9]+)?"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="PlainDate">
    <xs:annotation>
      <xs:documentation>A calendar date in the school's time zone, YYYY-MM-DD, without a zone.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:date">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ZonedDateTime">
    <xs:annotation>
      <xs:documentation>An instant: an xs:dateTime with a zone designator, e.g. 2026-11-27T09:00:00Z.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:dateTime">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+\-][0-9]{2}:[0-9]{2})"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Title">
    <xs:annotation>
      <xs:documentation>A line item's title: 1 to 255 characters.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="255"/>
    </xs:restriction>
  </xs:simpleType>

  <!-- The document -->

  <xs:element name="GradePassback">
    <xs:annotation>
      <xs:documentation>
        The root: one passback file of one run. Holds one Section per Canvas course section
        that sends grades to this Aspire section in the run.
      </xs:documentation>
    </xs:annotation>
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Section" type="ap:Section" maxOccurs="unbounded">
          <xs:annotation>
            <xs:documentation>
              One Aspire section (class) of one term and school, and the Canvas course and
              section whose grades are sent to it.
            </xs:documentation>
          </xs:annotation>
          <xs:unique name="UniqueLineItem">
            <xs:annotation>
              <xs:documentation>A line item appears at most once in a Section.</xs:documentation>
            </xs:annotation>
            <xs:selector xpath="ap:LineItem"/>
            <xs:field xpath="@sourcedId"/>
          </xs:unique>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="schemaVersion" type="xs:string" use="required" fixed="1">
        <xs:annotation>
          <xs:documentation>The version of this schema: always 1.</xs:documentation>
        </xs:annotation>
      </xs:attribute>
      <xs:attribute name="runId" type="ap:NonEmptyToken" use="required">
        <xs:annotation>
          <xs:documentation>The run that wrote the file (as in the run report and the ledger).</xs:documentation>
        </xs:annotation>
      </xs:attribute>
      <xs:attribute name="mode" type="ap:Mode" use="required">
        <xs:annotation>
          <xs:documentation>Whether the run sent changes only or every grade.</xs:documentation>
        </xs:annotation>
      </xs:attribute>
      <xs:attribute name="generatedAt" type="ap:ZonedDateTime" use="required">
        <xs:annotation>
          <xs:documentation>When the file was written (UTC).</xs:documentation>
        </xs:annotation>
      </xs:attribute>
    </xs:complexType>
    <xs:unique name="UniqueSection">
      <xs:annotation>
        <xs:documentation>A Canvas course section appears at most once per Aspire section in a file.</xs:documentation>
      </xs:annotation>
      <xs:selector xpath="ap:Section"/>
      <xs:field xpath="@classSourcedId"/>
      <xs:field xpath="@canvasCourseId"/>
      <xs:field xpath="@canvasSectionId"/>
    </xs:unique>
  </xs:element>

  <xs:complexType name="Section">
    <xs:annotation>
      <xs:documentation>The content of a Section element.</xs:documentation>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="LineItem" type="ap:LineItem" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation>
          <xs:documentation>
            One Canvas assignment in the Aspire section (a OneRoster line item), then the
            results sent for it.
          </xs:documentation>
        </xs:annotation>
        <xs:unique name="UniqueResult">
          <xs:annotation>
            <xs:documentation>A result appears at most once in a LineItem.</xs:documentation>
          </xs:annotation>
          <xs:selector xpath="ap:Result"/>
          <xs:field xpath="@sourcedId"/>
        </xs:unique>
      </xs:element>
    </xs:sequence>
    <xs:attribute name="classSourcedId" type="ap:NonEmptyToken" use="required">
      <xs:annotation>
        <xs:documentation>The Aspire section (Canvas sis_section_id).</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="termSourcedId" type="ap:NonEmptyToken" use="required">
      <xs:annotation>
        <xs:documentation>The Aspire term (Canvas term.sis_term_id).</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="schoolId" type="ap:NonEmptyToken" use="required">
      <xs:annotation>
        <xs:documentation>The Aspire school.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="canvasCourseId" type="ap:CanvasIdentifier" use="required">
      <xs:annotation>
        <xs:documentation>The Canvas course id.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="canvasSectionId" type="ap:CanvasIdentifier" use="required">
      <xs:annotation>
        <xs:documentation>The Canvas section id.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
  </xs:complexType>

  <xs:complexType name="LineItem">
    <xs:annotation>
      <xs:documentation>The content of a LineItem element.</xs:documentation>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="Title" type="ap:Title">
        <xs:annotation>
          <xs:documentation>The assignment's name as Canvas shows it.</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:element name="CategorySourcedId" type="ap:AspireIdentifier">
        <xs:annotation>
          <xs:documentation>The Aspire grading category the assignment is filed under.</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:element name="AssignDate" type="ap:PlainDate">
        <xs:annotation>
          <xs:documentation>When the assignment was assigned (school-local date).</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:element name="DueDate" type="ap:PlainDate">
        <xs:annotation>
          <xs:documentation>The section's due date (school-local date); lies within the category's term.</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:element name="ResultValueMin" type="ap:PlainDecimal">
        <xs:annotation>
          <xs:documentation>The lowest score: 0.</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:element name="ResultValueMax" type="ap:PlainDecimal">
        <xs:annotation>
          <xs:documentation>The assignment's points possible.</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:element name="Result" type="ap:Result" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation>
          <xs:documentation>
            One student's grade for the line item (status active), or the deletion of a grade
            sent before (status tobedeleted, StudentSourcedId only).
          </xs:documentation>
        </xs:annotation>
      </xs:element>
    </xs:sequence>
    <xs:attribute name="sourcedId" type="ap:LineItemSourcedId" use="required">
      <xs:annotation>
        <xs:documentation>canvas-&lt;assignment id&gt;.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="status" type="ap:Status" use="required">
      <xs:annotation>
        <xs:documentation>active, or tobedeleted to remove the line item from Aspire.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
  </xs:complexType>

  <xs:complexType name="Result">
    <xs:annotation>
      <xs:documentation>The content of a Result element.</xs:documentation>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="StudentSourcedId" type="ap:NonEmptyToken">
        <xs:annotation>
          <xs:documentation>The student's Aspire id (Canvas SIS User ID).</xs:documentation>
        </xs:annotation>
      </xs:element>
      <xs:sequence minOccurs="0">
        <xs:annotation>
          <xs:documentation>The grade: present for status active, absent for tobedeleted.</xs:documentation>
        </xs:annotation>
        <xs:element name="ScoreStatus" type="ap:ScoreStatus">
          <xs:annotation>
            <xs:documentation>How the student's work stands (OneRoster score status).</xs:documentation>
          </xs:annotation>
        </xs:element>
        <xs:element name="Score" type="ap:PlainDecimal" minOccurs="0">
          <xs:annotation>
            <xs:documentation>The points earned; absent when the student is exempt (excused).</xs:documentation>
          </xs:annotation>
        </xs:element>
        <xs:element name="ScoreDate" type="ap:PlainDate">
          <xs:annotation>
            <xs:documentation>When the grade was given (school-local date).</xs:documentation>
          </xs:annotation>
        </xs:element>
      </xs:sequence>
    </xs:sequence>
    <xs:attribute name="sourcedId" type="ap:ResultSourcedId" use="required">
      <xs:annotation>
        <xs:documentation>canvas-&lt;assignment id&gt;:&lt;student SIS id&gt;.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="status" type="ap:Status" use="required">
      <xs:annotation>
        <xs:documentation>active, or tobedeleted to remove the grade from Aspire.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
  </xs:complexType>

</xs:schema>

"""#

    /// `schemas/aspire-categories-1.xsd`: the XML form of an Aspire category export (spec
    /// section 2.1).
    static let categories: String = #"""
<?xml version="1.0" encoding="UTF-8"?>
<!--
  Aspire category export, XML form, version 1 (the project's contract, section 2.1).

  The same content as a *.categories.csv export: every field of the contract's table is an
  attribute, on Term (the term's fields, shared by its categories) or on Category (the
  category's own fields). Attributes, not child elements, so a category is one line of XML and
  each field can appear at most once.

  Category exports come from outside the project and are untrusted: the project reads them with
  libxml2's streaming reader, without network access or entity substitution, refuses any
  DOCTYPE, and validates against this schema while reading. A category listed twice for the
  same term and section is refused by the reader (which names both lines), not by this schema.
-->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:ac="urn:aspire-categories:1"
           targetNamespace="urn:aspire-categories:1"
           elementFormDefault="qualified"
           attributeFormDefault="unqualified">

  <xs:annotation>
    <xs:documentation>
      The grading categories of one or more Aspire sections, per term, as Aspire exports them
      for import into Canvas (where they become assignment groups).
    </xs:documentation>
  </xs:annotation>

  <!-- Simple types -->

  <xs:simpleType name="Identifier">
    <xs:annotation>
      <xs:documentation>An Aspire id: 1 to 60 characters without spaces, e.g. GCT0000001AbCd.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:minLength value="1"/>
      <xs:maxLength value="60"/>
      <xs:pattern value="\S+"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Code">
    <xs:annotation>
      <xs:documentation>A short code such as a term code (Q1): 1 to 60 characters.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:minLength value="1"/>
      <xs:maxLength value="60"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Title">
    <xs:annotation>
      <xs:documentation>A category name such as Homework: 1 to 255 characters, not all blank.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:minLength value="1"/>
      <xs:maxLength value="255"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Status">
    <xs:annotation>
      <xs:documentation>OneRoster status: active, or tobedeleted for a category Aspire removed.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:token">
      <xs:enumeration value="active"/>
      <xs:enumeration value="tobedeleted"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="PlainDate">
    <xs:annotation>
      <xs:documentation>A calendar date, YYYY-MM-DD, without a zone.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:date">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ZonedDateTime">
    <xs:annotation>
      <xs:documentation>An instant: an xs:dateTime with a zone designator, e.g. 2025-08-25T03:00:00.000-06:00.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:dateTime">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+\-][0-9]{2}:[0-9]{2})"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="PlainDecimal">
    <xs:annotation>
      <xs:documentation>A decimal in plain notation (40, 12.5): no exponent, no plus sign, at most 15 digits.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:decimal">
      <xs:totalDigits value="15"/>
      <xs:pattern value="-?([0-9]+(\.[0-9]+)?|\.[0-9]+)"/>
    </xs:restriction>
  </xs:simpleType>

  <!-- The document -->

  <xs:element name="CategoryExport">
    <xs:annotation>
      <xs:documentation>The root: one category export file, holding one or more terms.</xs:documentation>
    </xs:annotation>
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Term" type="ac:Term" maxOccurs="unbounded">
          <xs:annotation>
            <xs:documentation>One term of one school, and the categories of its sections.</xs:documentation>
          </xs:annotation>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="schoolId" type="ac:Identifier" use="optional">
        <xs:annotation>
          <xs:documentation>The school of every term in the file, when the export states it once.</xs:documentation>
        </xs:annotation>
      </xs:attribute>
    </xs:complexType>
  </xs:element>

  <xs:complexType name="Term">
    <xs:annotation>
      <xs:documentation>The content of a Term element.</xs:documentation>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="Category" type="ac:Category" maxOccurs="unbounded">
        <xs:annotation>
          <xs:documentation>
            One grading category of one section in the term. Empty: its fields are attributes.
          </xs:documentation>
        </xs:annotation>
      </xs:element>
    </xs:sequence>
    <xs:attribute name="termSourcedId" type="ac:Identifier" use="required">
      <xs:annotation>
        <xs:documentation>The term's Aspire id, e.g. GTM00000000Q1 (Canvas term.sis_term_id).</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="termCode" type="ac:Code" use="required">
      <xs:annotation>
        <xs:documentation>The term's code, e.g. Q1.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="termStartDate" type="ac:PlainDate" use="required">
      <xs:annotation>
        <xs:documentation>The term's first day.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="termEndDate" type="ac:PlainDate" use="required">
      <xs:annotation>
        <xs:documentation>The term's last day (on or after termStartDate).</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="schoolId" type="ac:Identifier" use="required">
      <xs:annotation>
        <xs:documentation>The school.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
  </xs:complexType>

  <xs:complexType name="Category">
    <xs:annotation>
      <xs:documentation>The fields of a Category element.</xs:documentation>
    </xs:annotation>
    <xs:attribute name="categorySourcedId" type="ac:Identifier" use="required">
      <xs:annotation>
        <xs:documentation>The category's Aspire id (Canvas assignment group sis_source_id).</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="title" type="ac:Title" use="required">
      <xs:annotation>
        <xs:documentation>The category's name, e.g. Homework.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="classSourcedId" type="ac:Identifier" use="required">
      <xs:annotation>
        <xs:documentation>The Aspire section the category belongs to (Canvas sis_section_id).</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="status" type="ac:Status" use="optional">
      <xs:annotation>
        <xs:documentation>active (the default) or tobedeleted.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="verifiedAt" type="ac:ZonedDateTime" use="optional">
      <xs:annotation>
        <xs:documentation>When Aspire verified the category for import; absent = not verified yet.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="weight" type="ac:PlainDecimal" use="optional">
      <xs:annotation>
        <xs:documentation>The category's weight, e.g. 40.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
    <xs:attribute name="dateLastModified" type="ac:ZonedDateTime" use="optional">
      <xs:annotation>
        <xs:documentation>When Aspire last changed the category.</xs:documentation>
      </xs:annotation>
    </xs:attribute>
  </xs:complexType>

</xs:schema>

"""#
}
