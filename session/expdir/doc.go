// Package expdir finds, validates and reads a prepared FIS experiment directory
// (see FORMATS.md, "Experiment directory"): the directory whose name ends with the
// FIS experiment template ID and that holds README.md and cfn-template.yaml.
//
// It never runs a shell, never follows symbolic links to the experiment directory or
// its files, and never reads more than MaxFileSize bytes of any file.
package expdir
