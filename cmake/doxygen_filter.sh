#!/usr/bin/env bash
# Doxygen INPUT_FILTER (docs/Doxyfile): the public headers use plain C comments, a block above
# a declaration and a trailing one beside a member; this turns them into Doxygen's /** and
# /**< (the file's opening comment into its @file text) without touching the headers.
exec sed -E \
	-e '1s#^/\*[ ]*#/** @file\n * #' \
	-e '/^[ \t]*#/b' \
	-e 's#<([a-z_]+)>#\&lt;\1\&gt;#g' \
	-e 's#([A-Za-z0-9_])@#\1\\@#g' \
	-e 's#^([ \t]*)/\*([^*!]|$)#\1/**\2#' \
	-e 's#([^ \t/][ \t]*)/\*([^*!<]|$)#\1/**<\2#' \
	"$1"
