# bash completion for crmshell.
#
# Source it (". completions/crmshell.bash"), or install it as
# ~/.local/share/bash-completion/completions/crmshell (or /usr/share/bash-completion/completions).
# Each Tab runs `crmshell --complete bash POINT LINE`, which loads only what the answer needs.

_crmshell() {
    local prog=${COMP_WORDS[0]}
    local IFS=$'\n'
    local -a found
    found=($(CRMSHELL_WORDBREAKS="$COMP_WORDBREAKS" "$prog" --complete bash "$COMP_POINT" "$COMP_LINE" 2>/dev/null))
    COMPREPLY=("${found[@]}")
    # `name=`, `ocf:` and directories are not finished words: no space after them
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=:/] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -F _crmshell crmshell
