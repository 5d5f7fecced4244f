# Helpers shared by Slipway's built-in buildpacks (sourced, not run). Each buildpack keeps its own
# identical copy because a sandbox may mount only that buildpack's directory; a test checks the
# copies stay identical.

topic() { echo "-----> $*"; }
info() { echo "       $*"; }
# -u: stream line by line, so a slow install shows progress instead of arriving all at the end.
indent() { sed -u -e 's/^/       /' -e 's/^ *$//'; }
fail() { echo " !     $*"; exit 1; }

# Exports the app's config vars (ENV_DIR holds one file per var) for the build, as Heroku's
# buildpacks do, except names that would break the build environment itself.
export_env_dir() {
  local env_dir=$1 file name
  [[ -d "$env_dir" ]] || return 0
  for file in "$env_dir"/*; do
    [[ -f "$file" ]] || continue
    name=${file##*/}
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    case "$name" in
      PATH | HOME | IFS | ENV | BASH_ENV | SHELLOPTS | BASHOPTS | GIT_DIR | CPATH | CPPATH | LANG | \
        LD_PRELOAD | LD_LIBRARY_PATH | LIBRARY_PATH | BUILD_DIR | CACHE_DIR | ENV_DIR) continue ;;
    esac
    export "$name=$(cat "$file")"
  done
}

# Copies a tree as hardlinks (~10x faster than a copy, no extra disk). link() fails across
# filesystems and across bind mounts, so fall back to a real copy there.
link_tree() {
  if ! cp -al "$1" "$2" 2>/dev/null; then
    rm -rf "$2"
    info "Hardlinks not possible between build and cache; copying instead"
    cp -a "$1" "$2"
  fi
}

# cache_restore DIR TREE TARGET KEY: puts DIR/TREE at TARGET when DIR/key equals KEY.
cache_restore() {
  local dir=$1 tree=$2 target=$3 key=$4
  [[ -f "$dir/key" && -d "$dir/$tree" ]] || return 1
  [[ "$(cat "$dir/key")" == "$key" ]] || return 1
  rm -rf "$target"
  link_tree "$dir/$tree" "$target"
}

# cache_save DIR TREE SOURCE KEY: crash-safe. The key goes before the swap and comes back (temp
# file + rename) after it, so a key on disk always describes the tree beside it.
cache_save() {
  local dir=$1 tree=$2 src=$3 key=$4
  mkdir -p "$dir"
  rm -f "$dir/key"
  rm -rf "$dir/$tree.new" "$dir/$tree.old"
  link_tree "$src" "$dir/$tree.new"
  if [[ -d "$dir/$tree" ]]; then mv -T "$dir/$tree" "$dir/$tree.old"; fi
  mv -T "$dir/$tree.new" "$dir/$tree"
  rm -rf "$dir/$tree.old"
  printf '%s\n' "$key" >"$dir/key.tmp"
  mv -T "$dir/key.tmp" "$dir/key"
}

# sha256 of stdin, for cache keys.
sha256() { sha256sum | cut -d' ' -f1; }
