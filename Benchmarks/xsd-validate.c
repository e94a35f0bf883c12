/*
 * The cost of libxml2's streaming XSD validation alone, outside passback: validates each file
 * given with xmlSchemaValidateFile (SAX, as passback's SchemaValidator does), one thread.
 *
 *   cc -O2 -o /tmp/xsd-validate Benchmarks/xsd-validate.c $(pkg-config --cflags --libs libxml-2.0)
 *   /tmp/xsd-validate schemas/aspire-passback-1.xsd /path/to/outbox/*.xml
 *
 * See docs/PERFORMANCE.md ("What holds the bulk target back").
 */
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SCHEMA.xsd FILE.xml...\n", argv[0]);
        return 2;
    }
    xmlInitParser();
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(argv[1]);
    xmlSchemaPtr schema = xmlSchemaParse(parser);
    if (schema == NULL) return 2;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int invalid = 0;
    for (int i = 2; i < argc; i++) {
        xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(schema);
        if (xmlSchemaValidateFile(context, argv[i], 0) != 0) invalid++;
        xmlSchemaFreeValidCtxt(context);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%d files, %d invalid, %.3f s\n", argc - 2, invalid,
           (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(parser);
    return invalid ? 1 : 0;
}
