// Package provenance turns a message into an assessment: a verdict, its
// evidence, and what the signatures prove.
package provenance
