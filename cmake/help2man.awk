# Reshapes `graphs [CMD] --help` into what help2man reads (cmake/man_pages.sh): "usage:" ->
# "Usage:", the usage block's wrapped lines joined and its further usage lines as "or:"
# (help2man's synopsis patterns), "Options:" before the first option list, "*Notes*" before
# the prose after it, "commands:" -> a COMMANDS section. The CLI's own text stays as it is.
function flush() { if (line != "") print line; line = "" }
NR == 1 { sub(/^usage:/, "Usage:"); line = $0; head = 1; next }
head && /^$/ { flush(); head = 0; para = 1; print; next }
head && /^[ \t]+/ && !/^[ \t]+graphs / { sub(/^[ \t]+/, " "); line = line $0; next }
head { flush(); sub(/^[ \t]+/, "   or: "); line = $0; next }
/^$/ { para = 1; print; next }
para && /^commands:[ \t]*$/ { print "*Commands*"; para = 0; next }
para && state == 0 && /^  ?[-A-Z]/ { print "Options:"; print ""; state = 1 }
para && state == 1 && /^[^ \t]/ { print "*Notes*"; print ""; state = 2 }
{ para = 0; print }
END { flush() }
