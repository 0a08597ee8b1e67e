/* A heap snapshot's dominator tree held whole, answered one node's children at a time (heap_tree.c). */
#ifndef DRD_REPORT_HEAP_TREE_H
#define DRD_REPORT_HEAP_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct drd_heap_tree;

/* Analyses the heap-snapshot session in dir and keeps its dominator tree. Returns it (free with
 * drd_heap_tree_free), or NULL with err (missing or malformed files, out of memory). */
struct drd_heap_tree *drd_heap_tree_load(const char *dir, char *err, size_t cap);
void drd_heap_tree_free(struct drd_heap_tree *h);

/* The children of node (a DFS number, the report's "id": 1 is the roots) from the offset-th, largest retained first,
 * at most limit: {"id","offset","kids","children":[{"id","type","shallow","retained","kids"}],"more",
 * "more_retained"} ("more" children after these, retaining "more_retained" bytes). Returns a new reference, or NULL
 * for a node the tree does not have (or out of memory). */
json_t *drd_heap_tree_children(const struct drd_heap_tree *h, uint32_t node, uint32_t offset, uint32_t limit);

#endif
